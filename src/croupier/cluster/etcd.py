"""etcd: three members (etcd 3.4 from Debian, the v2 API off: Patroni uses ``etcd3``)."""

from __future__ import annotations

import hashlib
import json

from croupier.cluster.layout import ETCD_MEMBERS, Layout
from croupier.cluster.processes import Spec

BINARY = "/usr/bin/etcd"


def _peer(layout: Layout, i: int) -> str:
    return f"http://127.0.0.1:{layout.port(f'etcd-{i}', 'peer')}"


def client_url(layout: Layout, name: str) -> str:
    return f"http://127.0.0.1:{layout.port(name, 'client')}"


def hosts(layout: Layout) -> list[str]:
    """``host:port`` of every member's client port (Patroni's ``etcd3.hosts``)."""
    return [f"127.0.0.1:{layout.port(name, 'client')}" for name in layout.names("etcd")]


def config(layout: Layout, name: str) -> dict[str, object]:
    i = int(name.rsplit("-", 1)[1])
    token = hashlib.sha256(str(layout.dir).encode()).hexdigest()[:16]
    return {
        "name": name,
        "data-dir": str(layout.home(name) / "data"),
        "listen-client-urls": client_url(layout, name),
        "advertise-client-urls": client_url(layout, name),
        "listen-peer-urls": _peer(layout, i),
        "initial-advertise-peer-urls": _peer(layout, i),
        "initial-cluster": ",".join(
            f"etcd-{j}={_peer(layout, j)}" for j in range(1, ETCD_MEMBERS + 1)
        ),
        # A token per directory: members of two clusters can never join each other.
        "initial-cluster-token": f"croupier-{token}",
        "initial-cluster-state": "new",
        "enable-v2": False,
        # Patroni's etcd3 client speaks the JSON gateway (/v3/…), off by default when
        # etcd reads a config file (on with flags)
        "enable-grpc-gateway": True,
        "heartbeat-interval": 100,
        "election-timeout": 1000,
        "logger": "zap",
        "log-outputs": ["stderr"],
    }


def files(layout: Layout, name: str) -> dict[str, str]:
    # JSON is YAML: no YAML writer needed.
    return {f"{name}/etcd.yml": json.dumps(config(layout, name), indent=2)}


def spec(layout: Layout, name: str) -> Spec:
    return Spec(name, (BINARY, "--config-file", str(layout.home(name) / "etcd.yml")))
