"""Two people play live hold'em over a real server's WebSocket: seats and buy-ins, a hand to
a fold and to showdown, hole cards only on their owner's socket, refusals with the HTTP
codes, the hand history (text and JSON), leaving, a timeout, and a SIGKILL mid-hand after
which the table resumes the same hand from its stream. The wallets add up and the ledger
(with its escrow check) verifies."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_wallet_flow import PASSWORD
from tests.support.poker_ws import (
    STREAM,
    TABLE,
    Seat,
    act,
    card_values,
    cash,
    funded,
    ledger_verified,
    subscribe,
    table_view,
    to_act,
)
from tests.support.server import free_port, running_server, start_server, stop, wait_ready
from tests.support.ws import Client, ws_client

LONG = {"CROUPIER_POKER_TABLES_PER_GAME": "1", "CROUPIER_POKER_ACTION_TIMEOUT_MS": "600000"}


@pytest.fixture
def server(database_url: str) -> Iterator[str]:
    with running_server(database_url, **LONG) as base:
        yield base


def _token(auth: dict[str, str]) -> str:
    return auth["Authorization"].removeprefix("Bearer ")


async def _join(seat: Seat, buy_in_minor: int) -> dict[str, object]:
    return await seat.client.request(
        {"type": "table.join", "table_id": TABLE, "buy_in_minor": buy_in_minor, "seat": seat.seat}
    )


async def test_two_players_play_a_hand_to_a_fold_and_one_to_showdown(  # noqa: PLR0915 - one story
    server: str, database_url: str
) -> None:
    with httpx.Client(base_url=server) as http:
        alice_auth, bob_auth = funded(http, "alice@example.com"), funded(http, "bob@example.com")
        lobby = http.get("/v1/poker/tables").json()["items"]
        assert [t["table_id"] for t in lobby if t["game_id"] == "holdem-nl-50-100"] == [TABLE]
        async with (
            ws_client(server, _token(alice_auth)) as alice_ws,
            ws_client(server, _token(bob_auth)) as bob_ws,
        ):
            alice = Seat("alice", alice_auth, alice_ws, 0)
            bob = Seat("bob", bob_auth, bob_ws, 3)
            by_seat = {0: alice, 3: bob}
            await subscribe(alice_ws)
            await subscribe(bob_ws)
            joined = await _join(alice, 10_000)
            assert joined["type"] == "table.state" and joined["data"]["your_seat"] == 0  # type: ignore[index]
            # refusals with the HTTP codes; nothing changes
            again = await _join(alice, 5_000)
            assert again["error"]["code"] == "already-seated" and again["error"]["status"] == 409  # type: ignore[index]
            low = await _join(bob, 3_999)
            assert low["error"]["code"] == "buy-in-out-of-range"  # type: ignore[index]
            assert cash(http, bob_auth) == 20_000
            await _join(bob, 8_000)
            assert cash(http, alice_auth) == 10_000 and cash(http, bob_auth) == 12_000
            await bob_ws.wait_events(1, stream=STREAM)
            waiting, _, first_hand = to_act(http, by_seat)
            other = bob if waiting is alice else alice
            refused = await act(other, "call")
            assert refused["error"]["code"] == "not-your-turn"  # type: ignore[index]
            small = await act(waiting, "raise", 150)
            assert small["error"]["code"] == "bet-out-of-range"  # type: ignore[index]
            # hand 1: the small blind folds
            await act(waiting, "fold")
            # hand 2: to showdown, checking and calling
            second = table_view(http)["hand"]["hand_id"]
            assert second != first_hand
            for _ in range(20):
                seat, action, hand_id = to_act(http, by_seat)
                if hand_id != second:
                    break
                answer = await act(seat, action)
                assert answer["type"] == "table.state", answer
            # hole cards: each player's own, never on the other socket
            alice_cards, bob_cards = alice.hole_cards(), bob.hole_cards()
            assert len(alice_cards) == 2 and len(bob_cards) == 2
            ended = [
                e for e in alice_ws.events if e["stream"] == STREAM and e["type"] == "hand.ended"
            ]
            assert len(ended) == 2
            first_ended = ended[0]["data"]
            assert first_ended["rake_minor"] == 0 and first_ended["shown"] == {}
            alice_first = next(
                e["data"]["cards"]
                for e in alice_ws.events
                if e["type"] == "poker.hole_cards" and e["data"]["hand_id"] == first_hand
            )
            first_end = next(
                n
                for n, f in enumerate(bob_ws.frames)
                if f.get("type") == "hand.ended" and f["data"]["hand_id"] == first_hand
            )
            # folded before the flop: bob saw no card of alice's during that hand
            assert not set(alice_first) & card_values(bob_ws.frames[: first_end + 1])
            assert not [
                e
                for e in bob_ws.events
                if e["type"] == "poker.hole_cards" and e["data"]["seat"] == 0
            ]
            showdown = ended[1]["data"]
            assert showdown["rake_minor"] == 10  # 5 % of 200
            # money: the escrow holds the stacks, the rake went to the house
            view = table_view(http)
            stacks = sum(s["stack_minor"] for s in view["seats"])
            in_play = sum(view["hand"]["bets_minor"].values()) + sum(view["hand"]["pots_minor"])
            assert stacks + in_play == 18_000 - 10  # the third hand's blinds are in play
            # the hand history: own hole cards, the shown ones, the revealed seed
            text = http.get(
                f"/v1/poker/hands/{first_hand}", params={"format": "text"}, headers=alice_auth
            )
            assert text.status_code == 200, text.text
            assert text.text.startswith("PokerStars Hand #")
            assert text.text.count("Dealt to ") == 1
            as_json = http.get(f"/v1/poker/hands/{first_hand}", headers=bob_auth).json()
            assert list(as_json["hole_cards"]) == ["3"]
            assert as_json["fairness"]["server_seed"]
            # leave: the stack back to the wallet (mid-hand: when the hand is over)
            await alice.client.request({"type": "table.leave", "table_id": TABLE})
            await bob.client.request({"type": "table.leave", "table_id": TABLE})
            for _ in range(20):
                view = table_view(http)
                if not view["seats"]:
                    break
                seat, action, _ = to_act(http, by_seat)
                await act(seat, action)
            assert table_view(http)["seats"] == []
            assert cash(http, alice_auth) + cash(http, bob_auth) + _rake(alice_ws) == 40_000
    ledger_verified(database_url)


def _rake(client: Client) -> int:
    return sum(
        e["data"]["rake_minor"]
        for e in client.events
        if e.get("stream") == STREAM and e["type"] == "hand.ended"
    )


async def test_a_player_who_lets_the_clock_run_out_is_folded(database_url: str) -> None:
    quick = {**LONG, "CROUPIER_POKER_ACTION_TIMEOUT_MS": "300", "CROUPIER_POKER_TIME_BANK_MS": "0"}
    with running_server(database_url, **quick) as base, httpx.Client(base_url=base) as http:
        alice_auth, bob_auth = funded(http, "alice@example.com"), funded(http, "bob@example.com")
        async with (
            ws_client(base, _token(alice_auth)) as alice_ws,
            ws_client(base, _token(bob_auth)) as bob_ws,
        ):
            await subscribe(alice_ws)
            await _join(Seat("alice", alice_auth, alice_ws, 0), 10_000)
            await _join(Seat("bob", bob_auth, bob_ws, 3), 8_000)

            def timed_out() -> list[dict[str, object]]:
                return [
                    e
                    for e in alice_ws.events
                    if e["stream"] == STREAM
                    and e["type"] == "hand.acted"
                    and e["data"]["by"] == "timeout"
                ]

            async with asyncio.timeout(15):  # nobody acts: the table folds for the small blind
                while not timed_out():
                    await alice_ws.wait_events(len(alice_ws.events) + 1, timeout=15)
            folded = timed_out()[0]["data"]
            assert folded["action"] == "fold"  # type: ignore[index]
    ledger_verified(database_url)


async def _play_until(http: httpx.Client, by_seat: dict[int, Seat], actions: int) -> list[str]:
    """Check or call ``actions`` times; the hand ids seen."""
    seen = []
    for _ in range(actions):
        seat, action, hand_id = to_act(http, by_seat)
        seen.append(hand_id)
        answer = await act(seat, action)
        assert answer["type"] == "table.state", answer
    return seen


async def test_sigkill_mid_hand_resumes_the_same_hand_and_loses_nothing(
    database_url: str,
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log, httpx.Client(base_url=base) as http:
        server = start_server(database_url, port, log, **LONG)
        try:
            wait_ready(base, server, log)
            alice_auth, bob_auth = (
                funded(http, "alice@example.com"),
                funded(http, "bob@example.com"),
            )
            async with (
                ws_client(base, _token(alice_auth)) as alice_ws,
                ws_client(base, _token(bob_auth)) as bob_ws,
            ):
                by_seat = {
                    0: Seat("alice", alice_auth, alice_ws, 0),
                    3: Seat("bob", bob_auth, bob_ws, 3),
                }
                await subscribe(alice_ws)
                await _join(by_seat[0], 10_000)
                await _join(by_seat[3], 8_000)
                await _play_until(http, by_seat, 3)  # preflop done, a check on the flop
                before = table_view(http)
                cards_before = by_seat[0].hole_cards()
                seen = max(e["seq"] for e in alice_ws.events if e["stream"] == STREAM)
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=15)
        finally:
            stop(server)
        server = start_server(database_url, port, log, **LONG)
        try:
            wait_ready(base, server, log)
            after = table_view(http)
            assert after["hand"] == {**before["hand"], "deadline_ms": after["hand"]["deadline_ms"]}
            assert after["seats"] == before["seats"]
            async with (
                ws_client(base, _token(alice_auth)) as alice_ws,
                ws_client(base, _token(bob_auth)) as bob_ws,
            ):
                by_seat = {
                    0: Seat("alice", alice_auth, alice_ws, 0),
                    3: Seat("bob", bob_auth, bob_ws, 3),
                }
                await subscribe(alice_ws, after_seq=seen)  # resume: nothing missed, nothing twice
                hand_id = before["hand"]["hand_id"]
                while to_act(http, by_seat)[2] == hand_id:
                    await _play_until(http, by_seat, 1)
                replayed = [e for e in alice_ws.events if e["stream"] == STREAM]
                assert replayed[0]["seq"] == seen + 1
                assert [e["seq"] for e in replayed] == list(
                    range(seen + 1, seen + 1 + len(replayed))
                )
                history = http.get(f"/v1/poker/hands/{hand_id}", headers=alice_auth).json()
                assert history["hole_cards"]["0"] == cards_before  # the same deck after the crash
                for seat in by_seat.values():
                    await seat.client.request({"type": "table.leave", "table_id": TABLE})
                while table_view(http)["seats"]:
                    await _play_until(http, by_seat, 1)
                rake = sum(
                    int(e["data"]["rake_minor"]) for e in await _all_table_events(bob_ws, http)
                )
                assert cash(http, alice_auth) + cash(http, bob_auth) + rake == 40_000
        finally:
            stop(server)
    ledger_verified(database_url)


async def _all_table_events(client: Client, http: httpx.Client) -> list[dict[str, object]]:
    """Every hand.ended of the table, from a subscription that replays from seq 0."""
    head = table_view(http)["head_seq"]
    before = len(client.events)
    await subscribe_table_from_zero(client)
    events = await client.wait_events(before + head)
    return [e for e in events[before:] if e["stream"] == STREAM and e["type"] == "hand.ended"]


async def subscribe_table_from_zero(client: Client) -> None:
    answer = await client.request(
        {"type": "subscribe", "channel": "table", "table_id": TABLE, "after_seq": 0}
    )
    assert answer["type"] == "subscribed", answer


def test_two_people_play_with_the_example_client_in_the_readme(
    server: str, database_url: str
) -> None:
    with httpx.Client(base_url=server) as http:
        alice_auth, bob_auth = funded(http, "alice@example.com"), funded(http, "bob@example.com")
    script = Path(__file__).resolve().parents[2] / "docs" / "examples" / "poker_client.py"

    def player(email: str) -> subprocess.Popen[str]:
        command = [sys.executable, str(script), server, email, PASSWORD, "--auto", "--hands", "2"]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    alice, bob = player("alice@example.com"), player("bob@example.com")
    outputs = [process.communicate(timeout=60) for process in (alice, bob)]
    for process, (out, err) in zip((alice, bob), outputs, strict=True):
        assert process.returncode == 0, out + err
        assert out.count("your cards: ") >= 2 and "left the table after 2 hands" in out
    with httpx.Client(base_url=server) as http:
        total = cash(http, alice_auth) + cash(http, bob_auth)
    assert 40_000 - 2 * 300 <= total <= 40_000  # at most the rake of two hands left
    ledger_verified(database_url)
