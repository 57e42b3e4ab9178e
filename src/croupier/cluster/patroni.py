"""PostgreSQL HA: Patroni 3 (Debian's ``patroni``) on two nodes, a primary and a
*synchronous* standby, with the etcd members as its DCS.

``synchronous_mode`` makes Patroni set ``synchronous_standby_names`` to the standby and only
ever promote a synchronous standby, and ``synchronous_commit = on`` makes a commit wait for
the standby's flush: no acknowledged transaction is lost on a failover. PostgreSQL refuses to
run as root, so Patroni (and the postgres it starts) runs as the ``postgres`` user.
``pg_hba`` trusts loopback: a test cluster, nothing else listens (docs/operations.md).
"""

from __future__ import annotations

import hashlib
import json

from croupier.cluster import etcd
from croupier.cluster.layout import Layout
from croupier.cluster.processes import Spec

BINARY = "/usr/bin/patroni"
BIN_DIR = "/usr/lib/postgresql/15/bin"
RUN_AS = "postgres"
# A failover after ttl (the leader key's lease) lapses; loop_wait + 2 × retry_timeout ≤ ttl.
TTL_S, LOOP_WAIT_S, RETRY_TIMEOUT_S = 8, 1, 3

_HBA = [
    "local all all trust",
    "host all all 127.0.0.1/32 trust",
    "host replication replicator 127.0.0.1/32 trust",
]


def scope(layout: Layout) -> str:
    return "croupier-" + hashlib.sha256(str(layout.dir).encode()).hexdigest()[:12]


def config(layout: Layout, name: str) -> dict[str, object]:
    home = layout.home(name)
    pg, rest = layout.port(name, "postgres"), layout.port(name, "rest")
    return {
        "scope": scope(layout),
        "namespace": "/croupier/",
        "name": name,
        "log": {"level": "INFO"},
        "restapi": {"listen": f"127.0.0.1:{rest}", "connect_address": f"127.0.0.1:{rest}"},
        "etcd3": {"hosts": etcd.hosts(layout)},
        "bootstrap": {
            "dcs": {
                "ttl": TTL_S,
                "loop_wait": LOOP_WAIT_S,
                "retry_timeout": RETRY_TIMEOUT_S,
                "maximum_lag_on_failover": 1024 * 1024,
                "synchronous_mode": True,
                "postgresql": {
                    "use_pg_rewind": True,
                    "parameters": {
                        "synchronous_commit": "on",
                        "wal_level": "replica",
                        "hot_standby": "on",
                        "max_connections": 200,
                        "max_wal_senders": 10,
                        "max_replication_slots": 10,
                        "wal_keep_size": "256MB",
                        "wal_log_hints": "on",
                    },
                },
            },
            "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, "data-checksums"],
        },
        "postgresql": {
            "listen": f"127.0.0.1:{pg}",
            "connect_address": f"127.0.0.1:{pg}",
            "data_dir": str(home / "data"),
            "bin_dir": BIN_DIR,
            "pgpass": str(home / "pgpass"),
            "pg_hba": _HBA,
            "authentication": {
                "superuser": {"username": "postgres", "password": "postgres"},
                "replication": {"username": "replicator", "password": "replicator"},
                "rewind": {"username": "postgres", "password": "postgres"},
            },
            "parameters": {"unix_socket_directories": str(home)},
        },
    }


def files(layout: Layout, name: str) -> dict[str, str]:
    return {f"{name}/patroni.yml": json.dumps(config(layout, name), indent=2)}


def spec(layout: Layout, name: str) -> Spec:
    return Spec(name, (BINARY, str(layout.home(name) / "patroni.yml")), user=RUN_AS)


def rest_url(layout: Layout, name: str, path: str) -> str:
    """Patroni's REST API: ``/primary`` answers 200 on the leader only, ``/sync`` on the
    synchronous standby only, ``/health`` once PostgreSQL runs."""
    return f"http://127.0.0.1:{layout.port(name, 'rest')}{path}"


def postmaster_pid(layout: Layout, name: str) -> int | None:
    """The postmaster Patroni started (in a session of its own, so not in Patroni's
    process group): the first line of ``postmaster.pid``."""
    try:
        return int((layout.home(name) / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
