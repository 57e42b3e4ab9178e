"""A connection must not be held open by a client that sends slowly: the request body has a
deadline, and connections that are still HTTP are capped. Keep-alive connections between
requests and WebSocket connections are not touched by either."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from pathlib import Path

import httpx

from tests.support.raw_http import connect, read_until_closed, trickle_until_answered
from tests.support.server import running_server
from tests.support.ws import ws_client

#: Enough trickled bytes (one per read timeout) to outlast the 1 s deadline several times.
TRICKLE_READ_S = 0.1
TRICKLE_SENDS_MAX = 100

BAD_LOGIN = json.dumps({"email": "nobody@example.com", "password": "wrong password!"}).encode()


def _head(length: int, path: str = "/v1/sessions") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: croupier\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def _body_json(answer: bytes) -> dict[str, object]:
    return dict(json.loads(answer.partition(b"\r\n\r\n")[2]))


def _request(conn: socket.socket, body: bytes) -> int:
    """One login on a kept-alive connection, its head and body sent apart; the status."""
    conn.sendall(_head(len(body)))
    conn.sendall(body)
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = conn.recv(4096)
        assert chunk, "the server closed a kept-alive connection"
        answer += chunk
    head, _, rest = answer.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(rest) < length:
        rest += conn.recv(4096)
    return _status(answer)


def test_a_body_trickled_past_the_deadline_is_answered_408_and_closed(tmp_path: Path) -> None:
    """The adversarial test's slow body: 60,000 bytes announced, one byte at a time."""
    env = {"CROUPIER_HTTP_BODY_TIMEOUT_S": "1"}
    with running_server(f"sqlite:///{tmp_path}/d.db", **env) as base:
        with connect(base, TRICKLE_READ_S) as conn:
            conn.sendall(_head(60_000))
            answer, closed = trickle_until_answered(conn, TRICKLE_SENDS_MAX)
        assert _status(answer) == 408, answer
        assert _body_json(answer)["type"] == "https://croupier.dev/problems/request-timeout"
        assert closed
        with connect(base, TRICKLE_READ_S) as conn:  # a body that stops coming at all
            conn.sendall(_head(60_000) + b'{"email": ')
            answer, closed = read_until_closed(conn, timeout_s=30)
        assert _status(answer) == 408 and closed
        assert httpx.get(f"{base}/healthz").status_code == 200


def test_a_slow_second_request_head_is_cut_off_too(tmp_path: Path) -> None:
    """The head deadline covers every request of a kept-alive connection, not only the first."""
    env = {"CROUPIER_HTTP_HEAD_TIMEOUT_S": "1"}
    with running_server(f"sqlite:///{tmp_path}/d.db", **env) as base, connect(base, 10) as conn:
        assert _request(conn, BAD_LOGIN) == 401
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: croupier\r\n")  # and no end of head
        answer, closed = read_until_closed(conn, timeout_s=15)
    assert _status(answer) == 408 and closed


def test_a_huge_second_request_head_is_refused(tmp_path: Path) -> None:
    """The 16 KiB bound on a head holds for every request of a kept-alive connection."""
    with running_server(f"sqlite:///{tmp_path}/d.db") as base, connect(base, 10) as conn:
        assert _request(conn, BAD_LOGIN) == 401
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: croupier\r\nX-Pad: ")
        conn.settimeout(0.5)  # 5 reads of 4 KiB: under the head's deadline, with room
        answer, closed = trickle_until_answered(conn, sends_max=10, chunk=b"a" * 4096)
    assert _status(answer) == 431 and closed, answer


async def test_keep_alive_and_websockets_outlive_the_body_deadline(tmp_path: Path) -> None:
    """Requests on one connection each get their own deadline; a WebSocket gets none."""
    env = {"CROUPIER_HTTP_BODY_TIMEOUT_S": "1"}
    with running_server(f"sqlite:///{tmp_path}/d.db", **env) as base:
        async with ws_client(base, auth=False) as websocket:
            with connect(base, 10) as kept, connect(base, TRICKLE_READ_S) as slow:
                assert _request(kept, BAD_LOGIN) == 401
                slow.sendall(_head(60_000))
                # Its 408 comes a deadline after its head: later than the first request's.
                refused, _ = trickle_until_answered(slow, TRICKLE_SENDS_MAX)
                assert _status(refused) == 408, refused
                assert _request(kept, BAD_LOGIN) == 401
            assert (await websocket.request({"type": "ping"}))["type"] == "pong"


def test_connections_past_the_cap_are_refused_but_websockets_do_not_count(
    tmp_path: Path,
) -> None:
    env = {"CROUPIER_HTTP_CONNECTIONS_MAX": "2"}
    with running_server(f"sqlite:///{tmp_path}/d.db", **env) as base:
        first, second = connect(base, 10), connect(base, 10)  # idle: still reading a head
        with first:
            with second:
                with connect(base, 10) as third:
                    refused = read_until_closed(third)[0]
                assert _status(refused) == 503, refused
                assert _body_json(refused)["type"] == "https://croupier.dev/problems/busy"
                assert b"\r\nRetry-After: 1\r\n" in refused
            _healthz_within(base, timeout_s=10)  # once the server has seen `second` go
            # One slot left: a WebSocket takes it only while its handshake is read.
            _run_two_websockets(base)
            assert httpx.get(f"{base}/healthz").status_code == 200


def _healthz_within(base: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=timeout_s).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the server never gave the freed slot back"
        time.sleep(0.05)  # between polls only: the wait itself is bounded by the deadline


def _run_two_websockets(base: str) -> None:
    async def both() -> None:
        async with ws_client(base, auth=False) as one, ws_client(base, auth=False) as two:
            assert (await one.request({"type": "ping"}))["type"] == "pong"
            assert (await two.request({"type": "ping"}))["type"] == "pong"
            async with httpx.AsyncClient(base_url=base) as client:
                assert (await client.get("/healthz")).status_code == 200

    asyncio.run(both())
