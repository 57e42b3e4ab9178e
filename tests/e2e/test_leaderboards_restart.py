"""The embedded (in-process) leaderboards survive a crash: a real server plays rounds, is
SIGKILLed, and the restarted server on the same database answers the same standings for the
open periods (rebuilt from the ledger's committed round events before it is ready), then
keeps counting from there, each round once. On both engines."""

from __future__ import annotations

import tempfile
import time
from typing import Any

import httpx
import pytest

from tests.e2e.test_wallet_flow import _register_and_login
from tests.support.server import free_port, start_server, stop, wait_ready

pytestmark = pytest.mark.timeout(180)

BOARDS = ("weekly-wagered-eur", "daily-multiplier")
WAIT_S = 60.0


def _player(client: httpx.Client, email: str) -> dict[str, str]:
    auth = _register_and_login(client, email)
    paid = client.post(
        "/v1/wallet/deposits",
        json={"amount": 100_000},
        headers={**auth, "Idempotency-Key": "deposit-" + email.partition("@")[0]},
    )
    assert paid.status_code == 201, paid.text
    return auth


def _spin(client: httpx.Client, auth: dict[str, str], key: str, stake: int) -> None:
    answer = client.post(
        "/v1/games/lotus-20/rounds",
        json={"stake": stake},
        headers={**auth, "Idempotency-Key": key},
    )
    assert answer.status_code in (200, 201), answer.text


def _boards(client: httpx.Client, auth: dict[str, str]) -> dict[str, Any]:
    found = {}
    for board in BOARDS:
        answer = client.get(f"/v1/leaderboards/{board}", params={"limit": 100}, headers=auth)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        found[board] = (body["period"], body["items"])
    return found


def _wagered(client: httpx.Client, auth: dict[str, str]) -> dict[str, int]:
    _, items = _boards(client, auth)["weekly-wagered-eur"]
    return {item["player_id"]: item["score"] for item in items}


def _until(check: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {WAIT_S} s: {what}")
        time.sleep(0.05)


def test_a_sigkilled_server_comes_back_with_the_same_standings(database_url: str) -> None:
    with tempfile.TemporaryFile() as log:
        port = free_port()
        server = start_server(database_url, port, log)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, server, log, timeout_s=WAIT_S)
            with httpx.Client(base_url=base, timeout=30) as client:
                players = [_player(client, f"restart{n}@example.com") for n in range(3)]
                for n, auth in enumerate(players):
                    for spin in range(3):
                        _spin(client, auth, f"before-{n}-{spin}", stake=100 * (n + 1))
                reader = players[0]
                _until(
                    lambda: sorted(_wagered(client, reader).values()) == [300, 600, 900],
                    "every round on the weekly board",
                )
                before = _boards(client, reader)
                me_before = client.get("/v1/leaderboards/daily-multiplier/me", headers=reader)
            server.kill()  # SIGKILL: the process keeps nothing
            server.wait(timeout=WAIT_S)

            port = free_port()
            server = start_server(database_url, port, log)
            base = f"http://127.0.0.1:{port}"
            wait_ready(base, server, log, timeout_s=WAIT_S)
            with httpx.Client(base_url=base, timeout=30) as client:
                # ready means rebuilt: the same periods, ranks, scores, in the same order
                assert _boards(client, reader) == before
                me_after = client.get("/v1/leaderboards/daily-multiplier/me", headers=reader)
                assert me_after.json() == me_before.json()
                first = min(_wagered(client, reader).items(), key=lambda item: item[1])[0]
                _spin(client, players[0], "after-restart-0", stake=100)  # players[0] wagered 300
                _until(
                    lambda: _wagered(client, reader)[first] == 400,
                    "the new round counted once, on top of the rebuilt sum",
                )
                assert sorted(_wagered(client, reader).values()) == [400, 600, 900]
        finally:
            stop(server)
