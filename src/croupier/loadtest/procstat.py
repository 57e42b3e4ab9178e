"""A local process's memory and CPU time, from /proc (Linux)."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

from croupier.loadtest import LoadtestError

__all__ = ["CpuWatch", "check_pid", "cpu_seconds", "raise_fd_limit", "rss_kib", "rss_or_none"]


def check_pid(pid: int) -> None:
    """Refuse a pid whose /proc entry cannot be read (not running, not Linux, not ours)."""
    try:
        rss_kib(pid)
        cpu_seconds(pid)
    except (OSError, StopIteration, ValueError, IndexError) as error:
        raise LoadtestError(f"cannot read /proc/{pid}: {error}") from error


def rss_kib(pid: int) -> int:
    """Resident set size in KiB."""
    with Path(f"/proc/{pid}/status").open() as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far, all threads."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text.rsplit(")", 1)[1].split()  # the command name may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raise_fd_limit() -> int:
    """Allow as many sockets as the hard limit does; returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def rss_or_none(pid: int | None) -> int | None:
    return rss_kib(pid) if pid is not None else None


class CpuWatch:
    """CPU used by this process and by the server (when its pid is known) since ``start``,
    as a percentage of one core: a client near 100 % is the ceiling, not the server."""

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self._wall = self._client = self._server = 0.0

    def start(self) -> CpuWatch:
        self._wall, self._client = time.perf_counter(), time.process_time()
        if self.server_pid is not None:
            self._server = cpu_seconds(self.server_pid)
        return self

    def figures(self) -> dict[str, float | None]:
        wall = max(1e-9, time.perf_counter() - self._wall)
        server = None
        if self.server_pid is not None:
            server = round(100 * (cpu_seconds(self.server_pid) - self._server) / wall, 1)
        client = round(100 * (time.process_time() - self._client) / wall, 1)
        return {"client_cpu_pct": client, "server_cpu_pct": server}
