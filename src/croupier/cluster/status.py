"""``croupier cluster status`` and ``kill``: what runs, in which role, and aliases.

Roles change at run time, so they are asked of the engines: Patroni's REST API for the
PostgreSQL primary and its synchronous standby, ``INFO replication`` for the Redis primary,
a writer's health port for the active writer, NATS's ``/jsz`` for the JetStream meta leader.
"""

from __future__ import annotations

import signal
from typing import Any

import httpx

from croupier.cluster import croupier, etcd, health, patroni, processes
from croupier.cluster.layout import Layout

ALIASES = {
    "postgres-primary": ("postgres", "primary"),
    "postgres-standby": ("postgres", "sync-standby"),
    "redis-primary": ("redis", "primary"),
    "redis-replica": ("redis", "replica"),
    "writer-active": ("writer", "active"),
    "writer-standby": ("writer", "standby"),
}


class UnknownComponent(LookupError):
    """No component (or alias) by that name, or no component holds that role now."""


def _get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=1.0)
    except httpx.HTTPError:
        return None


def role(layout: Layout, name: str) -> str:
    kind = name if name == "haproxy" else name.rsplit("-", 1)[0]
    pid = layout.pids.get(name)
    if pid is None or not processes.alive(pid):
        return "not running" if pid is None else "down"
    try:
        return _ROLES[kind](layout, name)
    except (OSError, health.RespError, ValueError):
        return "unreachable"


def _postgres(layout: Layout, name: str) -> str:
    for path, answer in (("/primary", "primary"), ("/sync", "sync-standby")):
        reply = _get(patroni.rest_url(layout, name, path))
        if reply is not None and reply.status_code == 200:
            return answer
    return "replica"


def _redis(layout: Layout, name: str) -> str:
    info = health.redis_info(layout.port(name), "replication")
    return "primary" if info.get("role") == "master" else "replica"


def _nats(layout: Layout, name: str) -> str:
    reply = _get(f"http://127.0.0.1:{layout.port(name, 'monitor')}/jsz")
    leader = (reply.json().get("meta_cluster") or {}).get("leader") if reply else None
    return "jetstream-meta-leader" if leader == name else "node"


def _writer(layout: Layout, name: str) -> str:
    reply = _get(croupier.writer_health_url(layout, name))
    return "active" if reply is not None and reply.status_code == 200 else "standby"


def _gateway(layout: Layout, name: str) -> str:
    return "all-in-one (fallback)" if layout.croupier_mode == croupier.ALL_IN_ONE else "gateway"


def _etcd(layout: Layout, name: str) -> str:
    reply = _get(etcd.client_url(layout, name) + "/health")
    return "member" if reply is not None and reply.status_code == 200 else "unhealthy"


_ROLES = {
    "etcd": _etcd,
    "postgres": _postgres,
    "redis": _redis,
    "sentinel": lambda layout, name: "sentinel",
    "nats": _nats,
    "haproxy": lambda layout, name: "load-balancer",
    "writer": _writer,
    "gateway": _gateway,
}


def describe(layout: Layout) -> dict[str, Any]:
    """The endpoints and every component: ``{url, database_url, …, components: {name:
    {pid, role, port, ports, alive, log}}}``."""
    components: dict[str, Any] = {}
    for name, ports in layout.ports.items():
        pid = layout.pids.get(name)
        entry: dict[str, Any] = {
            "pid": pid,
            "alive": pid is not None and processes.alive(pid),
            "role": role(layout, name),
            "port": next(iter(ports.values())),
            "ports": ports,
            "log": str(layout.log(name)) if pid is not None else None,
        }
        if name.startswith("postgres-"):
            entry["postmaster_pid"] = patroni.postmaster_pid(layout, name)
        components[name] = entry
    return {
        "dir": str(layout.dir),
        "url": layout.url,
        "database_url": layout.database_url,
        "stream_url": layout.stream_url,
        "state_url": layout.state_url,
        "stats_url": f"http://127.0.0.1:{layout.port('haproxy', 'stats')}/",
        "ca_file": str(layout.cert),
        "croupier_mode": layout.croupier_mode,
        "components": components,
    }


def resolve(layout: Layout, name: str) -> str:
    """A component's name, or the one that holds an alias's role now."""
    if name in layout.ports:
        return name
    if name not in ALIASES:
        known = ", ".join([*layout.ports, *ALIASES])
        raise UnknownComponent(f"no component {name!r}; known: {known}")
    kind, wanted = ALIASES[name]
    for candidate in layout.names(kind):
        if layout.pids.get(candidate) and role(layout, candidate) == wanted:
            return candidate
    raise UnknownComponent(f"no {kind} is {wanted} now (see `croupier cluster status`)")


def kill(layout: Layout, name: str) -> tuple[str, list[int]]:
    """kill -9 one component (its process group; for PostgreSQL also the postmaster, which
    Patroni starts in a session of its own); return its name and the pids signalled."""
    target = resolve(layout, name)
    pids = [pid for pid in [layout.pids.get(target)] if pid and processes.alive(pid)]
    if target.startswith("postgres-"):
        postmaster = patroni.postmaster_pid(layout, target)
        if postmaster and processes.alive(postmaster):
            pids.append(postmaster)
    if not pids:
        raise UnknownComponent(f"{target} is not running")
    for pid in pids:
        processes.signal_group(pid, signal.SIGKILL)
    return target, pids


__all__ = ["ALIASES", "UnknownComponent", "describe", "kill", "resolve", "role"]
