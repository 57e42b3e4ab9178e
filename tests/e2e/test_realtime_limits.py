"""The WebSocket gateway's edges against a real server and real clients: integers past 64
bits and duplicate keys refused with the connection kept."""

from __future__ import annotations

from typing import Any

import pytest

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
