"""Plain processes: started in their own session (process group), pid and log under DIR.

No systemd, no Docker: ``up`` starts each component with :func:`start` and exits; the
processes live on. A pid is only trusted while ``/proc/PID/cmdline`` still is what was started
(:func:`alive`), so a recycled pid is never signalled.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: The processes this one started, by pid: kept so they are reaped (``poll``) when they exit
#: while we still run, and so Popen does not warn that it was dropped while they ran.
_children: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class Spec:
    """How to run one component."""

    name: str
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    #: Run as this user (PostgreSQL refuses root); ``None``: as ourselves.
    user: str | None = None


def start(spec: Spec, log: Path, pidfile: Path) -> int:
    """Start ``spec`` detached (own session, stdin from /dev/null, output appended to
    ``log``), record its pid, return it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **spec.env}
    uid = gid = None
    groups: list[int] | None = None
    if spec.user is not None and os.geteuid() == 0:
        account = pwd.getpwnam(spec.user)
        uid, gid, groups = account.pw_uid, account.pw_gid, []
        env.update(HOME=account.pw_dir, USER=spec.user, LOGNAME=spec.user)
    with open(log, "ab") as out:
        process = subprocess.Popen(
            spec.argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            close_fds=True,
            user=uid,
            group=gid,
            extra_groups=groups,
        )
    _children[process.pid] = process
    pidfile.write_text(f"{process.pid}\n")
    return process.pid


def _stat_state(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (an exited child nobody reaped yet)."""
    if pid in _children and _children[pid].poll() is not None:
        return False
    state = _stat_state(pid)
    return state is not None and state not in {"Z", "X"}


def signal_group(pid: int, sig: signal.Signals) -> None:
    """Signal the process group led by ``pid`` (its children too), or the pid alone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            os.kill(pid, sig)


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


#: The programs a cluster runs: only these are swept up by :func:`processes_mentioning`
#: (never, say, a ``tail -f DIR/logs/…`` someone left open).
CLUSTER_PROGRAMS = frozenset(
    {"postgres", "patroni", "etcd", "nats-server", "redis-server", "haproxy"}
)


def processes_mentioning(text: str, programs: frozenset[str] = CLUSTER_PROGRAMS) -> list[int]:
    """Live processes of ``programs`` whose command line contains ``text`` (a cluster's
    DIR): what is left over after the recorded pids are gone (e.g. a postmaster Patroni
    started in its own session). A program is the base name of the first or second word
    (``python3 /usr/bin/patroni …`` is patroni)."""
    found: list[int] = []
    mine = _ancestors(os.getpid())  # ``croupier cluster down --dir DIR`` and its callers
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in mine:
            continue
        pid = int(entry.name)
        line = cmdline(pid)
        if text not in line or not alive(pid):
            continue
        if {Path(word).name for word in line.split()[:2]} & programs:
            found.append(pid)
    return sorted(found)


def _ancestors(pid: int) -> set[int]:
    chain = set()
    while pid > 1 and pid not in chain:
        chain.add(pid)
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return chain


def any_alive(pids: Iterable[int]) -> list[int]:
    return [pid for pid in pids if alive(pid)]
