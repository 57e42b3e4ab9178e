"""Redis: a primary (``redis-1``), a replica (``redis-2``) and three Sentinels.

Each Sentinel rewrites its own configuration file (the known primary, the other Sentinels),
so each has its own under DIR, written once by ``up`` and left to Sentinel afterwards.
"""

from __future__ import annotations

from croupier.cluster.layout import Layout
from croupier.cluster.processes import Spec

BINARY = "/usr/bin/redis-server"
MASTER_NAME = "croupier"
QUORUM = 2


def server_config(layout: Layout, name: str) -> str:
    lines = [
        f"# {name}: written by `croupier cluster up`",
        "bind 127.0.0.1",
        f"port {layout.port(name)}",
        f'dir "{layout.home(name)}"',
        "appendonly yes",
        "appendfsync everysec",
        'save ""',
        "protected-mode no",
    ]
    if name != "redis-1":
        lines.append(f"replicaof 127.0.0.1 {layout.port('redis-1')}")
    return "\n".join(lines) + "\n"


def sentinel_config(layout: Layout, name: str) -> str:
    return "\n".join(
        [
            f"# {name}: written by `croupier cluster up`, rewritten by Sentinel itself",
            "bind 127.0.0.1",
            f"port {layout.port(name)}",
            f'dir "{layout.home(name)}"',
            "protected-mode no",
            f"sentinel monitor {MASTER_NAME} 127.0.0.1 {layout.port('redis-1')} {QUORUM}",
            f"sentinel down-after-milliseconds {MASTER_NAME} 2000",
            f"sentinel failover-timeout {MASTER_NAME} 10000",
            f"sentinel parallel-syncs {MASTER_NAME} 1",
        ]
    )


def files(layout: Layout, name: str) -> dict[str, str]:
    if name.startswith("sentinel-"):
        return {f"{name}/sentinel.conf": sentinel_config(layout, name)}
    return {f"{name}/redis.conf": server_config(layout, name)}


def spec(layout: Layout, name: str) -> Spec:
    if name.startswith("sentinel-"):
        conf = layout.home(name) / "sentinel.conf"
        return Spec(name, (BINARY, str(conf), "--sentinel"))
    return Spec(name, (BINARY, str(layout.home(name) / "redis.conf")))
