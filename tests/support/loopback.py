"""Loopback ports for the servers the tests start, safe when several test processes (pytest
-xdist workers, other checkouts' suites, ``croupier cluster up``) pick ports at once.

A port from ``bind(("127.0.0.1", 0))`` is free only at that instant: until the server binds
it (seconds later, after its imports), another process's ``bind(0)`` or any outgoing
connection (the kernel picks its source port from the same ephemeral range) may take it, and
the server fails with "address already in use". So the ports come from below the ephemeral
range, as :mod:`croupier.cluster.ports` does for a cluster, and each is claimed in that
module's machine-wide registry (under its file lock) by this process until it exits.
"""

from __future__ import annotations

import atexit
import os
import random
import shutil
import tempfile
from pathlib import Path

from croupier.cluster import ports

#: The registry owners of test processes: ``<prefix><pid>-<random>`` directories in /tmp.
_OWNER_PREFIX = "croupier-test-ports-"
_owner: Path | None = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale(owner: str) -> bool:
    """A claim of a test process that is gone (SIGKILLed before its ``atexit``)."""
    name = Path(owner).name
    if not name.startswith(_OWNER_PREFIX):
        return False
    pid = name.removeprefix(_OWNER_PREFIX).partition("-")[0]
    return pid.isdigit() and not _alive(int(pid))


def _this_process_owner() -> Path:
    global _owner  # noqa: PLW0603  (one owner per process, made on first use)
    if _owner is None or not _owner.is_dir():
        _owner = Path(tempfile.mkdtemp(prefix=f"{_OWNER_PREFIX}{os.getpid()}-", dir="/tmp"))
        atexit.register(shutil.rmtree, _owner, True)
    return _owner


def claim_port() -> int:
    """A free loopback port below the ephemeral range that no other claimant will pick; held
    for this process's lifetime (a few hundred per suite run, out of ~22,000)."""
    owner = str(_this_process_owner())
    candidates = ports.port_range()
    rng = random.Random()
    # The registry's own lock and purge of owners gone; private, but the same project's.
    with ports._locked_registry() as claims:
        for stale in [key for key in claims if _stale(key)]:
            shutil.rmtree(stale, ignore_errors=True)
            del claims[stale]
        taken = {port for claimed in claims.values() for port in claimed}
        start = rng.randrange(len(candidates))
        for step in range(len(candidates)):
            port = candidates[(start + step) % len(candidates)]
            if port not in taken and ports.bindable(port):
                claims[owner] = [*claims.get(owner, []), port]
                return port
    raise ports.PortsExhausted(f"no free loopback port left in {candidates}")
