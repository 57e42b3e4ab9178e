"""The Croupier processes: two writers (active and standby) and N gateways — or, while the
installed Croupier has no ``writer`` command, one all-in-one ``croupier serve``.

Every command line and environment variable the cluster gives Croupier is here, in one place.
"""

from __future__ import annotations

import subprocess
import sys

from croupier.cluster.layout import NATS_NODES, Layout
from croupier.cluster.processes import Spec

ROLES, ALL_IN_ONE = "roles", "all-in-one"
_CROUPIER = (sys.executable, "-m", "croupier")


def _help(*command: str) -> str | None:
    """``croupier COMMAND --help``'s output, or ``None`` when the command does not exist."""
    try:
        done = subprocess.run(
            [*_CROUPIER, *command, "--help"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def detect_mode() -> tuple[str, bool]:
    """("roles" or "all-in-one", whether ``croupier writer`` has ``--health-port``)."""
    writer, serve = _help("writer"), _help("serve") or ""
    if writer is None or "--role" not in serve:
        return ALL_IN_ONE, False
    return ROLES, "--health-port" in writer


def environment(layout: Layout) -> dict[str, str]:
    return {
        "CROUPIER_LEDGER_SECRET": layout.secret("ledger"),
        "CROUPIER_DATABASE_URL": layout.database_url,
        "CROUPIER_STREAM_URL": layout.stream_url,
        "CROUPIER_STREAM_REPLICAS": str(NATS_NODES),
        "CROUPIER_STATE_URL": layout.state_url,
        "CROUPIER_STATE_SECRET": layout.secret("state"),
        "CROUPIER_KEY_FILE": str(layout.dir / "secrets" / "kek"),
        # The cluster's own key alone: one inherited from the caller's environment would
        # conflict with it (and the database was sealed under this one).
        "CROUPIER_KEK": "",
        "CROUPIER_CARD_KEY_FILE": str(layout.dir / "secrets" / "card-kek"),
        "CROUPIER_CARD_KEK": "",
        # HAProxy's X-Forwarded-For names the client (login limits, login records).
        "CROUPIER_TRUSTED_PROXIES": "127.0.0.1",
        # Its clients are on loopback too, which PostgreSQL (production) would refuse as
        # unlocatable: here they are at CROUPIER_GEO_HOME (docs/compliance.md).
        "CROUPIER_GEO_ALLOW_PRIVATE": "1",
    }


def gateway_spec(layout: Layout, name: str) -> Spec:
    port = str(layout.port(name))
    # Its own admin port (a cluster made before the back office has none: no listener).
    admin = ("--admin-port", str(layout.ports[name].get("admin", 0)))
    argv: tuple[str, ...]
    if layout.croupier_mode == ALL_IN_ONE:
        argv = (*_CROUPIER, "serve", *admin, "--host", "127.0.0.1", "--port", port)
    else:
        argv = (*_CROUPIER, "serve", *admin, "--role", "gateway", "--host", "127.0.0.1")
        argv = (*argv, "--port", port)
    return Spec(name, argv, environment(layout))


def writer_spec(layout: Layout, name: str, health_port: bool) -> Spec:
    argv: tuple[str, ...] = (*_CROUPIER, "writer")
    if health_port:
        argv = (*argv, "--health-port", str(layout.port(name, "health")))
    return Spec(name, argv, environment(layout))


def names_to_start(layout: Layout) -> tuple[list[str], list[str]]:
    """(writers, gateways) to start: in all-in-one mode no writer and one gateway
    (``gateway-1``: a second all-in-one server on one database stops with WriterLocked)."""
    if layout.croupier_mode == ALL_IN_ONE:
        return [], ["gateway-1"]
    return layout.names("writer"), layout.names("gateway")


def writer_health_url(layout: Layout, name: str) -> str:
    """``croupier writer --health-port``'s ``/readyz``: 200 only while this writer is the
    active one (holds the lease, reaches its database)."""
    return f"http://127.0.0.1:{layout.port(name, 'health')}/readyz"
