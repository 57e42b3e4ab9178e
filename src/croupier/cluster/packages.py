"""The Debian packages the cluster runs on, installed by ``up`` when missing (as root)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from croupier.cluster import etcd, haproxy, nats, patroni, redis

#: binary → the Debian package that ships it
BINARIES = {
    etcd.BINARY: "etcd-server",
    patroni.BINARY: "patroni",
    f"{patroni.BIN_DIR}/postgres": "postgresql-15",
    haproxy.BINARY: "haproxy",
    nats.BINARY: "nats-server",
    redis.BINARY: "redis-server",
}


class MissingPackages(RuntimeError):
    """Packages are missing and we may not install them."""


def missing() -> list[str]:
    return sorted({package for path, package in BINARIES.items() if not Path(path).exists()})


def _apt(command: list[str]) -> int:
    # apt's output goes to stderr: stdout is for the endpoints (one JSON object with --json).
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(
        command, env=env, stdin=subprocess.DEVNULL, stdout=sys.stderr, check=False
    )
    return done.returncode


def ensure() -> None:
    """Install what is missing with apt-get (root only); otherwise say exactly what to run.
    The packages' own services are not what we run: Debian may start them on install, on
    their default ports, which our allocated ports never use."""
    wanted = missing()
    if not wanted:
        return
    command = ["apt-get", "install", "-y", "--no-install-recommends", *wanted]
    if os.geteuid() != 0:
        raise MissingPackages(
            f"missing Debian packages {', '.join(wanted)}: run `sudo {' '.join(command)}`"
            " (or run `croupier cluster up` as root, which installs them)"
        )
    print(f"installing {', '.join(wanted)} …", file=sys.stderr)
    # a failure may be stale or absent package lists: update them and try once more
    if _apt(command) != 0 and (_apt(["apt-get", "update"]) != 0 or _apt(command) != 0):
        raise MissingPackages(f"`{' '.join(command)}` failed (its output is above)")
    still = missing()
    if still:
        raise MissingPackages(f"apt-get ran but {', '.join(still)} are still missing")
