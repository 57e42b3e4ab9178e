"""Leaderboards and tournaments against a real server process: HTTP queries, the live
``leaderboard:<id>`` channel, joining a tournament, and bad input refused with problem+json."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.test_realtime import _funded_player, _spin
from tests.support.server import running_server
from tests.support.ws import ws_client

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def server(tmp_path: Any) -> Any:
    with running_server(f"sqlite:///{tmp_path}/ledger.db") as base:
        yield base


async def test_a_round_reaches_the_board_over_http_and_the_live_channel(server: str) -> None:
    token, auth = _funded_player(server, "climber@example.com", deposit=100_000)
    async with ws_client(server, token) as watcher, ws_client(server, token) as player:
        subscribed = await watcher.request(
            {"type": "subscribe", "channel": "leaderboard:weekly-wagered-eur"}
        )
        assert subscribed["type"] == "subscribed"
        assert subscribed["stream"] == "leaderboard:weekly-wagered-eur"
        await _spin(player, "board-spin-01", stake=200)
        tick = (await watcher.wait_events(1))[-1]
    assert tick["type"] == "leaderboard.tick"
    assert tick["data"]["board"] == "weekly-wagered-eur"
    [entry] = tick["data"]["top"]
    assert entry["score"] == 200 and entry["rank"] == 1
    with httpx.Client(base_url=server, headers=auth) as client:
        listed = client.get("/v1/leaderboards").json()["items"]
        assert {"daily-multiplier", "weekly-wagered-eur"} <= {b["id"] for b in listed}
        board = client.get("/v1/leaderboards/weekly-wagered-eur", params={"limit": 5}).json()
        assert board["items"] == [entry]
        me = client.get("/v1/leaderboards/weekly-wagered-eur/me").json()
        assert me["entry"] == entry
        near = client.get("/v1/leaderboards/weekly-wagered-eur/around-me").json()
        assert near["items"] == [entry]
        assert client.get("/v1/leaderboards/weekly-wagered-eur/periods").json()["items"] == []
        for path, status in (
            ("/v1/leaderboards/no-such-board", 404),
            ("/v1/leaderboards/weekly-wagered-eur?limit=1000", 422),
            ("/v1/leaderboards/weekly-wagered-eur/around-me?radius=-1", 422),
            ("/v1/leaderboards/weekly-wagered-eur/periods/20200101T000000Z", 404),
            ("/v1/tournaments/no-such-tournament", 404),
        ):
            answer = client.get(path)
            assert answer.status_code == status, path
            assert answer.headers["content-type"].startswith("application/problem+json")
        joined = client.post("/v1/tournaments/no-such-tournament/entries")
        assert joined.status_code == 404
        assert client.get("/v1/leaderboards").status_code == 200
    with httpx.Client(base_url=server) as anonymous:
        assert anonymous.get("/v1/leaderboards").status_code == 401


async def test_an_unknown_channel_is_refused(server: str) -> None:
    token, _ = _funded_player(server, "channels@example.com")
    async with ws_client(server, token) as client:
        answer = await client.request({"type": "subscribe", "channel": "leaderboard:BAD ID"})
        assert answer["type"] == "error" and answer["error"]["code"] == "invalid-request"
