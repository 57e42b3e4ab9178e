"""Waiting on components: poll a check until it holds, each wait with its own deadline.

No fixed sleeps: a check is retried at a short interval and the wait fails with what it was
waiting for and the last error seen when the deadline passes.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable
from pathlib import Path

import httpx

_POLL_S = 0.2


class NotHealthy(RuntimeError):
    """A component did not become healthy before its deadline."""


def wait_until(
    what: str,
    check: Callable[[], bool],
    timeout_s: float,
    *,
    still_running: Callable[[], str | None] = lambda: None,
) -> None:
    """Poll ``check`` until it returns true; raise :class:`NotHealthy` after ``timeout_s``.
    ``still_running`` returns a reason to give up at once (a process that exited)."""
    deadline = time.monotonic() + timeout_s
    last_error = "not yet"
    while True:
        try:
            if check():
                return
        except (OSError, httpx.HTTPError, ValueError, RespError) as error:
            last_error = f"{type(error).__name__}: {error}"
        gone = still_running()
        if gone:
            raise NotHealthy(f"{what}: {gone}")
        if time.monotonic() >= deadline:
            raise NotHealthy(f"{what}: not healthy after {timeout_s:.0f} s ({last_error})")
        time.sleep(_POLL_S)


def http_status(url: str, *, cafile: Path | None = None, timeout_s: float = 2.0) -> int:
    verify: ssl.SSLContext | bool = False
    if cafile is not None:
        verify = ssl.create_default_context(cafile=str(cafile))
    return httpx.get(url, timeout=timeout_s, verify=verify).status_code


def http_ok(url: str, **options: object) -> bool:
    try:
        return http_status(url, **options) == 200  # type: ignore[arg-type]
    except httpx.HTTPError:
        return False


class RespError(RuntimeError):
    """Redis answered with an error."""


def redis_command(port: int, *args: str, timeout_s: float = 2.0) -> object:
    """One Redis (or Sentinel) command over RESP, on 127.0.0.1: enough for health checks
    without a Redis client library."""
    payload = f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
    with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as sock:
        sock.sendall(payload.encode())
        return _read_reply(sock.makefile("rb"))


def _read_reply(stream: object) -> object:
    line = stream.readline()  # type: ignore[attr-defined]
    if not line:
        raise ConnectionError("Redis closed the connection")
    kind, rest = line[:1], line[1:-2].decode()
    if kind == b"+":
        return rest
    if kind == b"-":
        raise RespError(rest)
    if kind == b":":
        return int(rest)
    if kind == b"$":
        size = int(rest)
        return None if size < 0 else stream.read(size + 2)[:-2].decode()  # type: ignore[attr-defined]
    if kind == b"*":
        size = int(rest)
        return None if size < 0 else [_read_reply(stream) for _ in range(size)]
    raise RespError(f"unexpected reply {line!r}")


def redis_info(port: int, section: str) -> dict[str, str]:
    text = str(redis_command(port, "INFO", section))
    pairs = (line.split(":", 1) for line in text.splitlines() if ":" in line)
    return {key: value for key, value in pairs}
