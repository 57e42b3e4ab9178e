"""The WebSocket gateway's edges against a real server and real clients: integers past 64
bits and duplicate keys refused with the connection kept, fragmented messages reassembled up
to the size limit, and connection caps per player and per address that free their slot on
every kind of close."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect
from websockets.exceptions import ConnectionClosed

from tests.e2e.test_realtime import _funded_player, serving
from tests.support.ws import Client, ws_client

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def server(tmp_path: Any) -> Any:
    with serving(f"sqlite:///{tmp_path}/ledger.db", "memory://") as base:
        yield base


async def _pong(client: Client, request_id: str) -> None:
    answer = await client.request({"type": "ping", "request_id": request_id})
    assert answer["type"] == "pong", answer


async def test_integers_past_64_bits_and_duplicate_keys_are_refused_and_the_connection_kept(
    server: str,
) -> None:
    token, _ = _funded_player(server, "edges@example.com")
    async with ws_client(server, token) as client:
        huge = await client.request({"type": "subscribe", "channel": "player", "after_seq": 2**70})
        assert huge["type"] == "error" and huge["error"]["code"] == "invalid-request", huge
        rich = {"type": "round.start", "request_id": "huge-stake-1", "game_id": "lotus-20"}
        stake = await client.request({**rich, "stake": 2**64})
        assert stake["type"] == "error" and stake["error"]["code"] == "invalid-request", stake
        await client.send('{"type": "ping", "request_id": "dup-1", "request_id": "dup-2"}')
        duplicate = await client.answer(None)
        assert duplicate["error"]["code"] == "malformed-json", duplicate
        await _pong(client, "still-here")
        subscribed = await client.request(
            {"type": "subscribe", "channel": "player", "after_seq": 0}
        )
        assert subscribed["type"] == "subscribed"
        assert (await client.wait_events(1))[0]["seq"] == 1


async def test_a_fragmented_message_is_reassembled_around_control_frames(server: str) -> None:
    token, _ = _funded_player(server, "fragments@example.com")
    async with ws_client(server, token) as client:
        websocket = client.connection
        await websocket.send(['{"type": "pi', 'ng", "request_id"', ': "frag-1"}'])
        assert (await client.answer("frag-1"))["type"] == "pong"

        async def with_a_ping_between() -> AsyncIterator[str]:
            yield '{"type": "ping", '
            pong = await websocket.ping()  # a control frame between two fragments
            async with asyncio.timeout(10):
                await pong
            yield '"request_id": "frag-2"}'

        await websocket.send(with_a_ping_between())
        assert (await client.answer("frag-2"))["type"] == "pong"
        await _pong(client, "after-fragments")


async def test_a_fragmented_message_over_the_size_limit_is_closed_as_too_big(
    server: str,
) -> None:
    token, _ = _funded_player(server, "big-fragments@example.com")
    async with ws_client(server, token) as client:
        padding = ["x" * 8 * 1024] * 3  # each fragment fits the 16 KiB limit; together not
        with contextlib.suppress(ConnectionClosed):
            await client.connection.send(['{"type": "ping", "padding": "', *padding, '"}'])
        code, _ = await client.closed()
    assert code == 1009


class _Frames(WSListener):  # type: ignore[misc]
    """A picows client (it can send what ``websockets`` will not): text frames as they come,
    and the close code."""

    def __init__(self) -> None:
        self.texts: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.closed: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type == WSMsgType.TEXT:
            self.texts.put_nowait(json.loads(frame.get_payload_as_bytes()))
        elif frame.msg_type == WSMsgType.CLOSE and not self.closed.done():
            self.closed.set_result(int(frame.get_close_code()))
            transport.send_close(frame.get_close_code())
            transport.disconnect()


async def _picows(base: str, token: str) -> tuple[WSTransport, _Frames]:
    url = base.replace("http://", "ws://") + "/v1/ws"
    headers = {"Authorization": f"Bearer {token}"}
    transport, frames = await ws_connect(_Frames, url, extra_headers=headers)
    async with asyncio.timeout(10):
        assert (await frames.texts.get())["type"] == "authenticated"
    return transport, frames


async def test_fragments_out_of_order_close_the_connection_as_a_protocol_error(
    server: str,
) -> None:
    token, _ = _funded_player(server, "stray@example.com")
    transport, frames = await _picows(server, token)
    try:
        transport.send(WSMsgType.BINARY, b'{"type": ', fin=False)
        transport.send(WSMsgType.CONTINUATION, b'"ping"}', fin=True)
        async with asyncio.timeout(10):
            refused = await frames.texts.get()
        assert refused["error"]["code"] == "unsupported-frame"  # a binary message, whole
        transport.send(WSMsgType.CONTINUATION, b"{}", fin=True)  # nothing to continue
        async with asyncio.timeout(10):
            assert await frames.closed == 1002
    finally:
        transport.disconnect()
    transport, frames = await _picows(server, token)
    try:
        transport.send(WSMsgType.TEXT, b'{"type": ', fin=False)
        transport.send(WSMsgType.TEXT, b'{"type": "ping"}', fin=True)  # the first unfinished
        async with asyncio.timeout(10):
            assert await frames.closed == 1002
    finally:
        transport.disconnect()


# -- connection caps -------------------------------------------------------------------------


async def _until(admitted: Callable[[], Awaitable[bool]], timeout: float = 10) -> None:
    """Retry until a new connection is admitted: the server learns of an abrupt drop only
    when its socket does."""
    async with asyncio.timeout(timeout):
        while not await admitted():
            pass


async def _authenticates(base: str, token: str, stack: contextlib.AsyncExitStack[Any]) -> bool:
    """Whether a new connection authenticates; if not, it was refused as one too many."""
    client = await stack.enter_async_context(ws_client(base, auth=False))
    answer = await client.request({"type": "auth", "token": token})
    if answer["type"] == "authenticated":
        return True
    assert answer["error"]["code"] == "too-many-connections", answer
    assert answer["error"]["status"] == 429
    code, reason = await client.closed()
    assert code == 4429 and "player" in reason, (code, reason)
    return False


async def test_connections_per_player_are_capped_and_every_close_frees_a_slot(
    tmp_path: Any,
) -> None:
    caps = {"CROUPIER_WS_CONNECTIONS_PER_PLAYER_MAX": "2"}
    with serving(f"sqlite:///{tmp_path}/ledger.db", "memory://", **caps) as base:
        token, _ = _funded_player(base, "tabs@example.com")
        bearer = {"Authorization": f"Bearer {token}"}
        async with contextlib.AsyncExitStack() as stack:
            first = await stack.enter_async_context(ws_client(base, token))
            async with ws_client(base, token) as second:
                again = await second.request({"type": "auth", "token": token})
                assert again["type"] == "authenticated"  # the same connection: no new slot
                assert not await _authenticates(base, token, stack)
                by_header = await stack.enter_async_context(
                    ws_client(base, auth=False, headers=bearer)
                )
                refused = await by_header.answer(None)
                assert refused["error"]["code"] == "too-many-connections"
                assert (await by_header.closed())[0] == 4429
            assert await _authenticates(base, token, stack)  # the second's close freed one
            first.connection.transport.abort()  # a drop without a close frame

            async def authenticates() -> bool:
                return await _authenticates(base, token, stack)

            await _until(authenticates)


async def _let_in(
    base: str, stack: contextlib.AsyncExitStack[Any], forwarded_for: str = ""
) -> Client | None:
    """A new connection if it is let in; None if it was closed as one too many."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    client = await stack.enter_async_context(ws_client(base, auth=False, headers=headers))
    try:
        await _pong(client, "open?")
        return client
    except ConnectionClosed:
        code, reason = await client.closed()
        assert code == 4429 and "address" in reason, (code, reason)
        return None


async def test_connections_per_address_are_capped_and_every_close_frees_a_slot(
    tmp_path: Any,
) -> None:
    caps = {"CROUPIER_WS_CONNECTIONS_PER_ADDRESS_MAX": "2"}
    with serving(f"sqlite:///{tmp_path}/ledger.db", "memory://", **caps) as base:
        async with contextlib.AsyncExitStack() as stack:
            assert await _let_in(base, stack)
            async with contextlib.AsyncExitStack() as inner:
                assert await _let_in(base, inner)
                # without a trusted proxy the header is the client's word: ignored
                assert not await _let_in(base, inner, forwarded_for="198.51.100.1")
            dropping = await _let_in(base, stack)  # the closes freed their slots
            assert dropping is not None and not await _let_in(base, stack)
            dropping.connection.transport.abort()  # a drop without a close frame

            async def let_in() -> bool:
                return await _let_in(base, stack) is not None

            await _until(let_in)


async def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_counted(
    tmp_path: Any,
) -> None:
    settings = {
        "CROUPIER_WS_CONNECTIONS_PER_ADDRESS_MAX": "1",
        "CROUPIER_TRUSTED_PROXIES": "127.0.0.1",
    }
    with serving(f"sqlite:///{tmp_path}/ledger.db", "memory://", **settings) as base:
        async with contextlib.AsyncExitStack() as stack:
            assert await _let_in(base, stack, forwarded_for="203.0.113.7")
            assert await _let_in(base, stack, forwarded_for="203.0.113.8")
            # a client may put what it likes first; the proxy appends the address it saw
            assert not await _let_in(base, stack, forwarded_for="192.0.2.1, 203.0.113.7")
            assert not await _let_in(base, stack, forwarded_for="203.0.113.8")
