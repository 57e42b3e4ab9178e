"""Free loopback ports for a cluster, never shared with another cluster's directory.

A port is free when it can be bound now; a cluster's ports are also written to a machine-wide
registry (under a file lock) from allocation until ``down``, so a second ``up`` in another
directory cannot pick a port the first one chose but has not bound yet. Ports come from below
the kernel's ephemeral range: an outgoing connection can never be holding one of them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import random
import socket
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

REGISTRY_ENV = "CROUPIER_CLUSTER_REGISTRY"
_DEFAULT_REGISTRY = Path("/tmp/croupier-cluster-ports.json")
_LOWEST = 10_000


class PortsExhausted(RuntimeError):
    """No free port left in the range."""


def registry_path() -> Path:
    return Path(os.environ.get(REGISTRY_ENV) or _DEFAULT_REGISTRY)


def port_range() -> range:
    """From 10000 up to the start of the ephemeral range (32768 on Linux by default)."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32_768
    return range(_LOWEST, max(low, _LOWEST + 1_000))


def bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def _locked_registry() -> Iterator[dict[str, list[int]]]:
    path = registry_path()
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            claims: dict[str, list[int]] = json.loads(path.read_text()) if path.exists() else {}
        except (OSError, ValueError):
            claims = {}
        # A directory that is gone cannot be running a cluster any more.
        claims = {owner: ports for owner, ports in claims.items() if Path(owner).is_dir()}
        yield claims
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(claims, indent=1, sort_keys=True))
        tmp.replace(path)


def allocate(
    owner: Path, needs: Mapping[str, Sequence[str]], rng: random.Random | None = None
) -> dict[str, dict[str, int]]:
    """One distinct free port per (component, purpose) in ``needs``, claimed for ``owner`` (a
    directory) in the registry; a previous claim of the same owner is replaced."""
    rng = rng or random.Random()
    candidates = port_range()
    with _locked_registry() as claims:
        claims.pop(str(owner), None)
        taken = {port for ports in claims.values() for port in ports}
        start = rng.randrange(len(candidates))
        order = (candidates[(start + i) % len(candidates)] for i in range(len(candidates)))
        chosen: dict[str, dict[str, int]] = {}
        for component, purposes in needs.items():
            chosen[component] = {}
            for purpose in purposes:
                for port in order:
                    if port not in taken and bindable(port):
                        chosen[component][purpose] = port
                        taken.add(port)
                        break
                else:
                    raise PortsExhausted(f"no free loopback port left in {candidates}")
        claims[str(owner)] = sorted(p for ports in chosen.values() for p in ports.values())
    return chosen


def release(owner: Path) -> None:
    with _locked_registry() as claims:
        claims.pop(str(owner), None)


def claimed(owner: Path) -> list[int]:
    with _locked_registry() as claims:
        return list(claims.get(str(owner), []))
