"""A sit-and-go over a real server's WebSocket: six players register (refusals with the
HTTP codes), it starts when full, they play it out at a live table (hole cards only on
their own socket), the server is SIGKILLed mid-hand and restarted, the same hand resumes
from the streams, and the winners are paid exactly once: every wallet adds up and
``croupier ledger verify`` passes."""

from __future__ import annotations

import asyncio
import signal
import tempfile
import time
from typing import Any

import httpx
import pytest

from tests.e2e.test_wallet_flow import PASSWORD
from tests.support.poker_ws import cash, funded, ledger_verified
from tests.support.server import free_port, start_server, stop, wait_ready
from tests.support.ws import Client, ws_client

ENV = {
    "CROUPIER_POKER_TABLES_PER_GAME": "0",
    "CROUPIER_POKER_SNG": "sng-6-max",
    "CROUPIER_POKER_ACTION_TIMEOUT_MS": "600000",
}
SNG = "sng-6-max-1"
FUNDS = 20_000
ENTRY = 1_080
DEADLINE_S = 60
READY_S = 90  # a loaded CI machine starts a server slowly


def _token(auth: dict[str, str]) -> str:
    return auth["Authorization"].removeprefix("Bearer ")


def _tournament(http: httpx.Client) -> dict[str, Any]:
    answer = http.get(f"/v1/poker/tournaments/{SNG}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def _hand_to_act(http: httpx.Client) -> tuple[str, dict[str, Any]] | None:
    """The tournament's table and its hand once someone is to act; None once finished."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        view = _tournament(http)
        if view["status"] == "finished":
            return None
        for table in view["tables"]:
            table_view = http.get(f"/v1/poker/tables/{table['table_id']}").json()
            hand = table_view.get("hand")
            if hand and hand.get("to_act") is not None:
                return table["table_id"], hand
        await asyncio.sleep(0.02)  # the next hand is dealt by the server's own task
    raise AssertionError("no hand to act in")


async def _act(
    clients: dict[int, Client], table_id: str, hand: dict[str, Any], *, shove: bool
) -> dict[str, Any]:
    """The player to act goes all in (or calls an all-in): short hands; or, with
    ``shove=False``, checks and calls: hands that bust nobody."""
    client = clients[hand["to_act"]]
    view = await client.request({"type": "table.view", "table_id": table_id})
    choices = view["data"]["your_choices"]
    message: dict[str, Any] = {"type": "table.act", "table_id": table_id}
    if shove and choices["max_raise_to_minor"] is not None:
        kind = "raise" if choices["call_minor"] else "bet"
        message |= {"action": kind, "amount_minor": choices["max_raise_to_minor"]}
    else:
        message["action"] = "call" if choices["call_minor"] else "check"
    return await client.request(message)


async def _seats(sockets: list[Client], table_id: str) -> dict[int, Client]:
    seats = {}
    for client in sockets:
        view = await client.request({"type": "table.view", "table_id": table_id})
        if view["data"]["your_seat"] is not None:
            seats[view["data"]["your_seat"]] = client
    return seats


@pytest.mark.slow  # two server starts and a SIGKILL: about a minute on a loaded machine
async def test_a_sit_and_go_over_the_websocket_survives_a_sigkill_and_pays_once(  # noqa: PLR0915
    database_url: str,
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log, httpx.Client(base_url=base) as http:
        server = start_server(database_url, port, log, **ENV)
        try:
            wait_ready(base, server, log, timeout_s=READY_S)
            lobby = http.get("/v1/poker/tournaments").json()["items"]
            assert [(t["tournament_id"], t["status"]) for t in lobby] == [(SNG, "registering")]
            auths = [funded(http, f"sng{n}@example.com", FUNDS) for n in range(6)]
            # responsible gambling: a self-excluded player's entry is refused, nothing moves
            excluded = funded(http, "excluded@example.com", FUNDS)
            out = http.post("/v1/self-exclusion", json={"months": 6}, headers=excluded)
            assert out.status_code == 201, out.text
            session = http.post(
                "/v1/sessions",
                json={"email": "excluded@example.com", "password": PASSWORD, "withdraw_only": True},
            )
            assert session.status_code == 201, session.text
            excluded = {"Authorization": f"Bearer {session.json()['token']}"}
            refused = http.post(f"/v1/poker/tournaments/{SNG}/registration", headers=excluded)
            assert refused.status_code == 403, refused.text
            assert refused.json()["type"].endswith("/self-excluded")
            assert cash(http, excluded) == FUNDS
            async with (
                ws_client(base, _token(auths[0])) as s0,
                ws_client(base, _token(auths[1])) as s1,
                ws_client(base, _token(auths[2])) as s2,
                ws_client(base, _token(auths[3])) as s3,
                ws_client(base, _token(auths[4])) as s4,
                ws_client(base, _token(auths[5])) as s5,
            ):
                sockets = [s0, s1, s2, s3, s4, s5]
                for client in sockets:
                    answer = await client.request({"type": "subscribe", "channel": "player"})
                    assert answer["type"] == "subscribed"
                watched = await s0.request(
                    {"type": "subscribe", "channel": "tournament", "tournament_id": SNG}
                )
                assert watched["type"] == "subscribed"
                register = {"type": "tournament.register", "tournament_id": SNG}
                for client in sockets[:5]:
                    answer = await client.request(dict(register))
                    assert answer["type"] == "tournament.state", answer
                    assert answer["data"]["registered"] is True
                # refusals: the same codes as HTTP, nothing changed
                twice = await s0.request(dict(register))
                assert twice["error"]["code"] == "already-registered", twice
                assert twice["error"]["status"] == 409
                assert cash(http, auths[0]) == FUNDS - ENTRY
                stranger = await s5.request({"type": "tournament.unregister", "tournament_id": SNG})
                assert stranger["error"]["code"] == "not-registered", stranger
                unknown = await s5.request({"type": "tournament.register", "tournament_id": "nope"})
                assert unknown["error"]["code"] == "not-found"
                # the sixth over HTTP: full, it starts
                entered = http.post(f"/v1/poker/tournaments/{SNG}/registration", headers=auths[5])
                assert entered.status_code == 200, entered.text
                again = http.post(f"/v1/poker/tournaments/{SNG}/registration", headers=auths[5])
                assert again.status_code == 409
                assert again.json()["type"].endswith("/already-registered")
                late = await s0.request({"type": "tournament.unregister", "tournament_id": SNG})
                assert late["error"]["code"] == "registration-closed", late
                found = await _hand_to_act(http)
                assert found is not None
                table_id, hand = found
                seats = await _seats(sockets, table_id)
                assert len(seats) == 6
                # a seat notice on each player's own stream
                await s3.wait_events(1, stream=None)
                # out of turn: refused, nothing changed
                idle = next(c for s, c in seats.items() if s != hand["to_act"])
                refused = await idle.request(
                    {"type": "table.act", "table_id": table_id, "action": "call"}
                )
                assert refused["error"]["code"] == "not-your-turn", refused
                hands_seen: set[str] = set()
                for _ in range(200):  # two hands checked down, then into the third
                    found = await _hand_to_act(http)
                    assert found is not None, "finished before the crash"
                    table_id, hand = found
                    hands_seen.add(hand["hand_id"])
                    if len(hands_seen) == 3:
                        break
                    answer = await _act(seats, table_id, hand, shove=False)
                    assert "error" not in answer, answer
                first = await _act(seats, table_id, hand, shove=False)  # mid-hand now
                assert "error" not in first, first
                # privacy: every hole-card event a socket got is its own player's
                for client in sockets:
                    dealt = [e for e in client.events if e.get("type") == "poker.hole_cards"]
                    assert dealt and all(e["stream"] == dealt[0]["stream"] for e in dealt)
            found = await _hand_to_act(http)
            assert found is not None
            table_id, before = found
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=15)
        finally:
            stop(server)
        server = start_server(database_url, port, log, **ENV)
        try:
            wait_ready(base, server, log, timeout_s=READY_S)
            found = await _hand_to_act(http)
            assert found is not None
            assert found[1]["hand_id"] == before["hand_id"]  # the same hand, resumed
            assert found[1]["to_act"] == before["to_act"]
            async with (
                ws_client(base, _token(auths[0])) as s0,
                ws_client(base, _token(auths[1])) as s1,
                ws_client(base, _token(auths[2])) as s2,
                ws_client(base, _token(auths[3])) as s3,
                ws_client(base, _token(auths[4])) as s4,
                ws_client(base, _token(auths[5])) as s5,
            ):
                sockets = [s0, s1, s2, s3, s4, s5]
                for _ in range(300):
                    found = await _hand_to_act(http)
                    if found is None:
                        break
                    table_id, hand = found
                    seats = await _seats(sockets, table_id)
                    answer = await _act(seats, table_id, hand, shove=True)
                    assert "error" not in answer, answer
                view = _tournament(http)
                assert view["status"] == "finished"
                prizes = [r["prize_minor"] for r in view["results"]]
                assert sorted(prizes, reverse=True)[:2] == [3_900, 2_100]
                assert sum(prizes) == 6_000
                wallets = [cash(http, auth) for auth in auths]
                assert sum(wallets) == 6 * (FUNDS - ENTRY) + 6_000
                assert sorted(w - (FUNDS - ENTRY) for w in wallets) == [0, 0, 0, 0, 2_100, 3_900]
        finally:
            stop(server)
    ledger_verified(database_url)
