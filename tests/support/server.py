"""A real Croupier server process on a free port, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import httpx

from tests.support.loopback import claim_port


def free_port() -> int:
    """A loopback port for a server to bind, claimed so that no other test process (an xdist
    worker, another checkout's suite) or outgoing connection takes it first (see loopback)."""
    return claim_port()


#: The scrape token the test servers take for ``/metrics`` (CROUPIER_METRICS_TOKEN).
METRICS_TOKEN = "test-scrape-token-" + "0" * 32
#: Each started server's admin listener, by its players' base URL (see :func:`admin_url`).
_ADMIN_URLS: dict[str, str] = {}


def start_server(
    database_url: str, port: int, log: IO[bytes], *, admin_port: int | None = None, **env: str
) -> subprocess.Popen[bytes]:
    """``croupier serve`` on ``port``, its admin listener on ``admin_port`` (a free one)."""
    admin_port = admin_port or free_port()
    command = [
        sys.executable,
        "-m",
        "croupier",
        "serve",
        "--port",
        str(port),
        "--admin-port",
        str(admin_port),
        "--database-url",
        database_url,
    ]
    _ADMIN_URLS[f"http://127.0.0.1:{port}"] = f"http://127.0.0.1:{admin_port}"
    # Output goes to a file: a pipe nobody reads could fill up and block the server.
    return subprocess.Popen(
        command,
        env={**os.environ, "CROUPIER_METRICS_TOKEN": METRICS_TOKEN, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def admin_url(base: str) -> str:
    """The admin listener of the server whose players' port is ``base``."""
    return _ADMIN_URLS[base]


def scrape_metrics(base: str) -> str:
    """``/metrics`` of the server at ``base``, as Prometheus scrapes it (admin listener)."""
    response = httpx.get(
        f"{admin_url(base)}/metrics",
        headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.text


#: How long a server may take to answer /readyz: its start is seconds of imports, and the
#: machine is shared (pytest-xdist workers, other suites): at a load of 15 on 2 cores a start
#: took 20–30 s. A deadline only: a ready server is seen within 0.1 s.
READY_TIMEOUT_S = 120.0


@contextmanager
def running_server(
    database_url: str, *, ready_timeout_s: float = READY_TIMEOUT_S, **env: str
) -> Iterator[str]:
    """Start ``croupier serve``; yield its base URL once /readyz answers (within
    ``ready_timeout_s``); stop it after."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = start_server(database_url, port, log, **env)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, process, log, timeout_s=ready_timeout_s)
            yield base
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_ready(
    base: str,
    process: subprocess.Popen[bytes],
    log: IO[bytes],
    timeout_s: float = READY_TIMEOUT_S,
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            output = log.read().decode()
            raise RuntimeError(f"the server exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"the server at {base} was not ready within {timeout_s} s")
