"""HTTP over a bare socket, for what an HTTP client library will not do: stop half-way
through a request head, or trickle a body one byte at a time."""

from __future__ import annotations

import contextlib
import socket

__all__ = ["connect", "read_until_closed", "send_and_read", "trickle_until_answered"]

_ANSWER_WAIT_S = 10.0  # once a server has begun to answer, the rest comes at once


def connect(base: str, timeout_s: float) -> socket.socket:
    """A connection to ``base`` (``http://host:port``) whose every read waits ``timeout_s``."""
    host, port = base.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=timeout_s)


def read_until_closed(conn: socket.socket, timeout_s: float | None = None) -> tuple[bytes, bool]:
    """What arrives until the server closes (True) or a read times out (False)."""
    if timeout_s is not None:
        conn.settimeout(timeout_s)
    answer = b""
    try:
        while chunk := conn.recv(4096):
            answer += chunk
    except TimeoutError:
        return answer, False
    except ConnectionResetError:
        pass
    return answer, True


def send_and_read(base: str, payload: bytes, wait_s: float) -> bytes:
    """What the server answers a raw connection that sends ``payload`` and then nothing."""
    with connect(base, wait_s) as conn:
        conn.sendall(payload)
        return read_until_closed(conn)[0]


def trickle_until_answered(
    conn: socket.socket, sends_max: int, chunk: bytes = b" "
) -> tuple[bytes, bool]:
    """Send ``chunk``, wait one read timeout for an answer, repeat: at most ``sends_max``
    times. Returns what the server answered and whether it then closed the connection."""
    for _ in range(sends_max):
        try:
            conn.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            break  # closed on us: read what it said
        with contextlib.suppress(TimeoutError):
            first = conn.recv(4096)
            if not first:
                return b"", True
            answer, closed = read_until_closed(conn, timeout_s=_ANSWER_WAIT_S)
            return first + answer, closed
    return read_until_closed(conn)
