"""Issue 11, money races, kept true against a real server on both databases: many requests
racing for one balance move it once, a stake is refused exactly past the balance, replays
pay once, and one key with two bodies plays once, over HTTP and WebSocket alike. After
each race the ledger verifies."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.held import (
    GENEROUS_LIMITS,
    assert_ledger_verifies,
    database_for_module,
    funded_player,
)
from tests.support.server import running_server
from tests.support.ws import ws_client

pytestmark = pytest.mark.timeout(120)

ROULETTE = "/v1/games/european-roulette/rounds"
BLACKJACK = "/v1/games/blackjack-6d-s17/rounds"
SLOTS = "/v1/games/lotus-20/rounds"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """A server on each backend, shared by the module's tests (each has its own player):
    its base URL and its database URL."""
    directory = tmp_path_factory.mktemp("races")
    with (
        database_for_module(request.param, directory) as database_url,
        running_server(database_url, **GENEROUS_LIMITS) as base,
    ):
        yield base, database_url


def _red(stake: int) -> dict[str, Any]:
    return {"bets": [{"type": "red", "stake": stake}]}


def _problem_type(response: httpx.Response) -> str:
    return str(response.json()["type"]).rsplit("/", 1)[-1]


async def test_fifty_withdrawals_of_the_whole_balance_pay_out_once(
    server: tuple[str, str],
) -> None:
    base, database_url = server
    auth = funded_player(base, "drain@example.com", 5_000)
    async with httpx.AsyncClient(base_url=base, headers=auth, timeout=60) as http:
        answers = await asyncio.gather(
            *(
                http.post(
                    "/v1/wallet/withdrawals",
                    json={"amount": 5_000},
                    headers={"Idempotency-Key": f"drain-{n:04d}"},
                )
                for n in range(50)
            )
        )
        wallet = (await http.get("/v1/wallet")).json()
        history = (await http.get("/v1/wallet/transactions", params={"limit": 100})).json()
    assert Counter(a.status_code for a in answers) == {201: 1, 409: 49}
    refused = {_problem_type(a) for a in answers if a.status_code == 409}
    assert refused == {"insufficient-funds"}
    assert (wallet["cash"], wallet["pending"]) == (0, 0)
    assert sorted(item["amount"] for item in history["items"]) == [-5_000, 5_000]
    assert_ledger_verifies(database_url)


def test_a_stake_of_the_whole_balance_is_taken_and_one_unit_more_is_refused(
    server: tuple[str, str],
) -> None:
    base, database_url = server
    auth = funded_player(base, "edge@example.com", 1_000)
    with httpx.Client(base_url=base, headers=auth, timeout=30) as http:
        for n, (path, body) in enumerate(
            [
                (ROULETTE, _red(1_001)),
                (BLACKJACK, {"stake": 1_001}),
                ("/v1/wallet/withdrawals", {"amount": 1_001}),
            ]
        ):
            over = http.post(path, json=body, headers={"Idempotency-Key": f"over-{n:04d}"})
            assert over.status_code == 409, (path, over.text)
            assert _problem_type(over) == "insufficient-funds"
        assert http.get("/v1/wallet").json()["cash"] == 1_000  # nothing was taken
        exact = http.post(ROULETTE, json=_red(1_000), headers={"Idempotency-Key": "exact-0001"})
        assert exact.status_code == 201, exact.text
        wallet = http.get("/v1/wallet").json()
    assert exact.json()["stake"] == 1_000
    assert (wallet["cash"], wallet["pending"]) == (exact.json()["win"], 0)
    assert_ledger_verifies(database_url)


async def test_withdrawals_roulette_and_blackjack_racing_for_one_balance_have_one_winner(
    server: tuple[str, str],
) -> None:
    """Thirty requests, each needing the whole balance: one is served. Another can be only
    once a round served before it has paid out (then the arithmetic still holds)."""
    base, database_url = server
    auth = funded_player(base, "mixed@example.com", 5_000)
    straight = {"bets": [{"type": "straight", "numbers": [17], "stake": 5_000}]}
    requests = [
        *(("/v1/wallet/withdrawals", {"amount": 5_000}) for _ in range(10)),
        *((ROULETTE, straight) for _ in range(10)),
        *((BLACKJACK, {"stake": 5_000}) for _ in range(10)),
    ]
    async with httpx.AsyncClient(base_url=base, headers=auth, timeout=60) as http:
        answers = await asyncio.gather(
            *(
                http.post(path, json=body, headers={"Idempotency-Key": f"mixed-{n:04d}"})
                for n, (path, body) in enumerate(requests)
            )
        )
        wallet = (await http.get("/v1/wallet")).json()
    winners = [a.json() for a in answers if a.status_code == 201]
    losers = [a for a in answers if a.status_code != 201]
    assert {(a.status_code, _problem_type(a)) for a in losers} == {(409, "insufficient-funds")}
    rounds = [w for w in winners if "round_id" in w]
    paid_back = sum(r["win"] or 0 for r in rounds)
    assert 1 <= len(winners) <= 1 + paid_back // 5_000, winners  # no money spent twice
    held = sum(r["stake"] for r in rounds if r["status"] == "open")
    assert (wallet["cash"], wallet["pending"]) == (5_000 - 5_000 * len(winners) + paid_back, held)
    assert_ledger_verifies(database_url)


async def test_racing_replays_of_one_request_pay_once(server: tuple[str, str]) -> None:
    """Twenty copies of each request (same key, same body) at once: every copy gets the
    first answer, and the money moves once."""
    base, database_url = server
    auth = funded_player(base, "echo@example.com", 1_000)
    requests = [
        ("/v1/wallet/deposits", {"amount": 2_000}, "echo-deposit"),
        ("/v1/wallet/withdrawals", {"amount": 500}, "echo-withdrawal"),
        (ROULETTE, _red(100), "echo-round"),
    ]
    async with httpx.AsyncClient(base_url=base, headers=auth, timeout=60) as http:
        answers = await asyncio.gather(
            *(
                http.post(path, json=body, headers={"Idempotency-Key": key})
                for path, body, key in requests
                for _ in range(20)
            )
        )
        wallet = (await http.get("/v1/wallet")).json()
        history = (await http.get("/v1/wallet/transactions", params={"limit": 100})).json()
        rounds = (await http.get("/v1/rounds", params={"limit": 100})).json()
    assert [a.status_code for a in answers] == [201] * 60, [a.text for a in answers]
    deposits, withdrawals, spins = (answers[i : i + 20] for i in (0, 20, 40))
    for copies in (deposits, withdrawals, spins):
        assert all(copy.json() == copies[0].json() for copy in copies)
    win = spins[0].json()["win"]
    assert (wallet["cash"], wallet["pending"]) == (1_000 + 2_000 - 500 - 100 + win, 0)
    assert len(rounds["items"]) == 1
    moved = Counter(item["reason"] for item in history["items"])
    assert (moved["deposit"], moved["withdrawal"]) == (2, 1)  # the funding and one of each
    assert_ledger_verifies(database_url)


async def test_one_key_with_two_bodies_over_websocket_and_http_plays_once(
    server: tuple[str, str],
) -> None:
    """An Idempotency-Key sent as a WebSocket round's request_id while an HTTP round with
    another body uses it too: one round is played, the other request gets 409 (as the first
    again, the winner is replayed and the loser refused)."""
    base, database_url = server
    auth = funded_player(base, "both@example.com", 10_000)
    token = auth["Authorization"].removeprefix("Bearer ")
    keys = [f"shared-key-{n:04d}" for n in range(6)]

    async def over_websocket(key: str) -> tuple[int, Any]:
        answer = await ws.request(
            {"type": "round.start", "request_id": key, "game_id": "lotus-20", "stake": 100}
        )
        if answer["type"] == "result":
            return 201, answer["data"]
        return answer["error"]["status"], answer["error"]["code"]

    async def over_http(key: str) -> tuple[int, Any]:
        answer = await http.post(ROULETTE, json=_red(200), headers={"Idempotency-Key": key})
        if answer.status_code == 201:
            return 201, answer.json()
        return answer.status_code, _problem_type(answer)

    async with (
        httpx.AsyncClient(base_url=base, headers=auth, timeout=60) as http,
        ws_client(base, token) as ws,
    ):
        first = [await asyncio.gather(over_websocket(k), over_http(k)) for k in keys]
        again = [await asyncio.gather(over_websocket(k), over_http(k)) for k in keys]
        wallet = (await http.get("/v1/wallet")).json()
        rounds = (await http.get("/v1/rounds", params={"limit": 100})).json()
    played = []
    for pair in first:
        assert sorted(status for status, _ in pair) == [201, 409], pair
        played += [answer for status, answer in pair if status == 201]
        assert [answer for status, answer in pair if status == 409] == ["idempotency-conflict"]
    assert again == first  # the winner replayed, the loser still refused
    assert sorted(r["round_id"] for r in rounds["items"]) == sorted(r["round_id"] for r in played)
    stakes, wins = sum(r["stake"] for r in played), sum(r["win"] for r in played)
    assert (wallet["cash"], wallet["pending"]) == (10_000 - stakes + wins, 0)
    assert_ledger_verifies(database_url)
