"""NATS: three servers in one cluster with JetStream, store directories under DIR."""

from __future__ import annotations

from croupier.cluster.layout import Layout
from croupier.cluster.processes import Spec

BINARY = "/usr/sbin/nats-server"


def config(layout: Layout, name: str) -> str:
    routes = ", ".join(
        f'"nats-route://127.0.0.1:{layout.port(other, "cluster")}"'
        for other in layout.names("nats")
        if other != name
    )
    store = layout.home(name) / "jetstream"
    return f"""# {name}: written by `croupier cluster up`
server_name: "{name}"
listen: "127.0.0.1:{layout.port(name, "client")}"
http: "127.0.0.1:{layout.port(name, "monitor")}"
jetstream {{
  store_dir: "{store}"
  max_memory_store: 64MB
  max_file_store: 1GB
}}
cluster {{
  name: "croupier"
  listen: "127.0.0.1:{layout.port(name, "cluster")}"
  routes: [{routes}]
}}
"""


def files(layout: Layout, name: str) -> dict[str, str]:
    return {f"{name}/nats.conf": config(layout, name)}


def spec(layout: Layout, name: str) -> Spec:
    return Spec(name, (BINARY, "-c", str(layout.home(name) / "nats.conf")))


def health_url(layout: Layout, name: str) -> str:
    """200 once the server's JetStream is current with the cluster's meta leader."""
    return f"http://127.0.0.1:{layout.port(name, 'monitor')}/healthz"
