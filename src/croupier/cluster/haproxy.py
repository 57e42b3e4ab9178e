"""HAProxy 2.6: TLS 1.3 termination in front of the gateways (HTTP and WebSocket, health
checks on ``/readyz``), a TCP write port to the PostgreSQL primary (Patroni's REST
``GET /primary`` answers 200 on the leader only) and a stats page.

Draining: a gateway that stops answering ``/readyz`` gets no new requests while its open
connections finish; on ``down`` HAProxy gets SIGUSR1 (soft stop) so it stops listening and
lets open connections end, up to ``hard-stop-after``.
"""

from __future__ import annotations

from croupier.cluster.layout import Layout
from croupier.cluster.processes import Spec

BINARY = "/usr/sbin/haproxy"
_TLS13_SUITES = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"


def config(layout: Layout) -> str:
    gateways = "\n".join(
        f"    server {name} 127.0.0.1:{layout.port(name)} check" for name in layout.names("gateway")
    )
    postgres = "\n".join(
        f"    server {name} 127.0.0.1:{layout.port(name, 'postgres')}"
        f" check port {layout.port(name, 'rest')}"
        for name in layout.names("postgres")
    )
    run = layout.dir / "run"
    tls = f"ssl crt {layout.haproxy_pem} ssl-min-ver TLSv1.3 alpn http/1.1"
    return f"""# written by `croupier cluster up`
global
    log stdout format raw local0 info
    # 2 fds per proxied connection: within the usual 20000 open-files limit
    maxconn 8000
    stats socket {run}/haproxy.sock mode 600 level admin
    hard-stop-after 30s
    ssl-default-bind-options ssl-min-ver TLSv1.3
    ssl-default-bind-ciphersuites {_TLS13_SUITES}

defaults
    log global
    mode http
    option httplog
    option dontlognull
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # a WebSocket, once upgraded, is a tunnel: its own idle timeout
    timeout tunnel 1h
    timeout client-fin 5s
    # a request whose connection to a gateway fails goes to another one (nothing was sent)
    retries 3
    option redispatch 1

frontend web
    bind 127.0.0.1:{layout.port("haproxy", "https")} {tls}
    option forwardfor
    http-request set-header X-Forwarded-Proto https
    default_backend gateways

backend gateways
    balance leastconn
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 500ms fastinter 250ms downinter 1s fall 2 rise 2
{gateways}

listen postgres-write
    mode tcp
    bind 127.0.0.1:{layout.port("haproxy", "postgres")}
    option tcplog
    timeout client 30m
    timeout server 30m
    option httpchk GET /primary
    http-check expect status 200
    default-server inter 1s fastinter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
{postgres}

listen stats
    bind 127.0.0.1:{layout.port("haproxy", "stats")}
    stats enable
    stats uri /
    stats refresh 2s
"""


def files(layout: Layout) -> dict[str, str]:
    return {"haproxy/haproxy.cfg": config(layout)}


def spec(layout: Layout) -> Spec:
    return Spec("haproxy", (BINARY, "-db", "-f", str(layout.home("haproxy") / "haproxy.cfg")))
