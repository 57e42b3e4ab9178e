"""Real ``croupier writer`` and ``croupier serve --role gateway`` processes for end-to-end
tests, on one PostgreSQL database and one NATS prefix of the test's own."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

import httpx

from tests.support.server import free_port, wait_ready

#: Every wait on a process has its own bound, generous for a loaded CI machine.
WAIT_S = 60.0


@dataclass
class Proc:
    name: str
    process: subprocess.Popen[bytes]
    log: IO[bytes]
    port: int

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Roles:
    """Starts processes and stops every one of them at the end."""

    database_url: str
    stream_url: str
    env: dict[str, str] = field(default_factory=dict)
    #: One per set of roles, as ``croupier cluster up`` makes one per cluster.
    ledger_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    started: list[Proc] = field(default_factory=list)

    def _environment(self, extra: dict[str, str]) -> dict[str, str]:
        return {
            **os.environ,
            "CROUPIER_DATABASE_URL": self.database_url,
            "CROUPIER_STREAM_URL": self.stream_url,
            # Short terms keep the tests short; the mechanism is the same.
            "CROUPIER_WRITER_LEASE_MS": "1500",
            "CROUPIER_LEDGER_SECRET": self.ledger_secret,
            # Several gateways on one host: none needs the back office's listener here.
            "CROUPIER_ADMIN_PORT": "0",
            **self.env,
            **extra,
        }

    def _start(self, name: str, arguments: list[str], port: int, env: dict[str, str]) -> Proc:
        log = tempfile.TemporaryFile()  # noqa: SIM115  (closed by stop_all)
        process = subprocess.Popen(
            [sys.executable, "-m", "croupier", *arguments],
            env=self._environment(env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        proc = Proc(name, process, log, port)
        self.started.append(proc)
        return proc

    def writer(self, name: str, **env: str) -> Proc:
        port = free_port()
        return self._start(name, ["writer", "--health-port", str(port)], port, env)

    def gateway(self, name: str, *, wait: bool = True, **env: str) -> Proc:
        port = free_port()
        proc = self._start(name, ["serve", "--role", "gateway", "--port", str(port)], port, env)
        if wait:
            wait_ready(proc.url, proc.process, proc.log, timeout_s=WAIT_S)
        return proc

    def stop_all(self) -> None:
        for proc in self.started:
            if proc.process.poll() is None:
                with _continued(proc):
                    proc.process.send_signal(signal.SIGTERM)
                try:
                    proc.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.process.kill()
                    proc.process.wait()
            proc.log.close()


@contextmanager
def _continued(proc: Proc) -> Iterator[None]:
    """A stopped process cannot act on SIGTERM: continue it first."""
    proc.process.send_signal(signal.SIGCONT)
    yield


def _health(proc: Proc, role: str, timeout_s: float) -> dict[str, Any]:
    """Poll a writer's health port until it reports ``role`` (active: 200, its database
    answering; standby: 503); its answer."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.process.poll() is not None:
            raise RuntimeError(
                f"{proc.name} exited with {proc.process.returncode}:\n{proc.output()}"
            )
        try:
            response = httpx.get(f"{proc.url}/readyz", timeout=1)
            answer: dict[str, Any] = response.json()
            if answer.get("role") == role and (role != "active" or response.status_code == 200):
                return answer
        except (httpx.TransportError, ValueError):
            pass
        time.sleep(0.05)  # the poll's pace
    raise TimeoutError(f"{proc.name} was not {role} within {timeout_s} s:\n{proc.output()}")


def wait_active(proc: Proc, timeout_s: float = WAIT_S) -> int:
    """Poll a writer's health port until it is active; its epoch."""
    return int(_health(proc, "active", timeout_s)["epoch"])


def wait_standby(proc: Proc, timeout_s: float = WAIT_S) -> None:
    """Poll until a writer's health port answers (503: standby)."""
    _health(proc, "standby", timeout_s)


def wait_exit(proc: Proc, timeout_s: float = WAIT_S) -> int:
    try:
        return proc.process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise TimeoutError(
            f"{proc.name} did not exit within {timeout_s} s:\n{proc.output()}"
        ) from None


def verify(database_url: str) -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "croupier", "ledger", "verify", "--database-url", database_url],
        check=False,
        capture_output=True,
        text=True,
        timeout=WAIT_S,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
