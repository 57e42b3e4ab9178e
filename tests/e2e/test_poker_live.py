"""Two people play live hold'em over a real server's WebSocket: seats and buy-ins, a hand to
a fold and to showdown, hole cards only on their owner's socket, refusals with the HTTP
codes, the hand history (text and JSON), leaving, a timeout, and a SIGKILL mid-hand after
which the table resumes the same hand from its stream. The wallets add up and the ledger
(with its escrow check) verifies."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import httpx
import pytest

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
from tests.support.ws import ws_client

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


async def test_two_players_play_a_hand_to_a_fold_and_one_to_showdown(
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
            waiting, card_free, first_hand = to_act(http, by_seat)
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
            alice_first = [
                e["data"]["cards"]
                for e in alice_ws.events
                if e["type"] == "poker.hole_cards" and e["data"]["hand_id"] == first_hand
            ][0]
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


def _rake(client: object) -> int:
    events = getattr(client, "events")
    return sum(
        e["data"]["rake_minor"]
        for e in events
        if e.get("stream") == STREAM and e["type"] == "hand.ended"
    )
