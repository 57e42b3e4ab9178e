"""``croupier cluster down``: stop every process of a cluster, tier by tier, then make sure.

Croupier first (a gateway finishes the requests it has; HAProxy's ``/readyz`` check takes
it out), then HAProxy (SIGUSR1, a soft stop: it stops listening and lets open connections
finish — after Croupier, whose database connections through it would hold it), then
Patroni (which stops its PostgreSQL) and the Sentinels, then Redis and NATS, etcd last
(Patroni still talks to it while it shuts down). Each tier gets SIGTERM and a deadline,
then SIGKILL. Last, anything still running with DIR in its command line (a postmaster
Patroni started in a session of its own) is killed.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

from croupier.cluster import ports, processes
from croupier.cluster.layout import Layout

_TIERS = (
    ("gateway", "writer"),
    ("haproxy",),
    ("postgres", "sentinel"),
    ("redis", "nats"),
    ("etcd",),
)
_GRACE_S = 20.0


def _kind(name: str) -> str:
    return name if name == "haproxy" else name.rsplit("-", 1)[0]


def _wait_gone(pids: list[int], timeout_s: float) -> list[int]:
    deadline = time.monotonic() + timeout_s
    while (left := processes.any_alive(pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def down(layout: Layout, progress: Callable[[str], None]) -> list[int]:
    """Stop everything; return the pids that were still alive at the end (none, normally)."""
    for tier in _TIERS:
        pids = [
            pid for name, pid in layout.pids.items() if _kind(name) in tier and processes.alive(pid)
        ]
        if not pids:
            continue
        progress(f"stopping {', '.join(tier)}")
        stop = signal.SIGUSR1 if tier == ("haproxy",) else signal.SIGTERM
        for pid in pids:
            processes.signal_group(pid, stop)
        for pid in _wait_gone(pids, _GRACE_S):
            processes.signal_group(pid, signal.SIGKILL)
        _wait_gone(pids, 5)
    strays = processes.processes_mentioning(f"{layout.dir}/")
    for pid in strays:
        processes.signal_group(pid, signal.SIGKILL)
    left = _wait_gone([*layout.pids.values(), *strays], 10)
    if not left:
        ports.release(layout.dir)
    return left
