"""Live cash tables on a real platform (SQLite and PostgreSQL), driven by a fake clock:
seats and escrow on the ledger, a hand to showdown and to a fold, rake, refusals that change
nothing, timeouts, leaving, the wait list, a rebuild from the stream, and the cancel-refund
rule when a hand cannot be rebuilt. ``ledger verify`` (with its escrow check) after each."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from croupier.domain.accounts.player import Player, cash_account_id
from croupier.domain.errors import AccountNotFound, IllegalAction, InsufficientFunds
from croupier.domain.ledger import AppendEvent
from croupier.domain.poker.live_errors import (
    AlreadySeated,
    BetOutOfRange,
    BuyInOutOfRange,
    NotYourTurn,
)
from croupier.services.ledger import verify_ledger
from croupier.services.poker import MemorySealer, TableDirectory, escrow_account, finished_hand
from tests.support.platform import funded_player
from tests.support.poker_tables import TABLE, FakeClock, hand_of, open_tables
from tests.support.vault import KEK_ENV

ESCROW = escrow_account(TABLE, "EUR")


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    """A platform that opens no tables itself: the tests own theirs, on a fake clock."""
    env = {**KEK_ENV, "CROUPIER_POKER_TABLES_PER_GAME": "0"}
    opened = await open_platform(load_settings(env, database_url=database_url))
    try:
        yield opened
    finally:
        await opened.close()


async def _cash(platform: Platform, player: Player) -> int:
    return (await platform.ledger.balance(cash_account_id(player.player_id)))[1].posted


async def _escrow(platform: Platform) -> int:
    return (await platform.ledger.balance(ESCROW))[1].posted


async def _house(platform: Platform) -> int:
    try:
        return (await platform.ledger.balance("house:EUR"))[1].posted
    except AccountNotFound:  # no round and no rake yet
        return 0


async def _verified(platform: Platform) -> None:
    report = await verify_ledger(platform.ledger.store)
    assert report.ok, report.problems


async def _two_seated(
    platform: Platform, clock: FakeClock, sealer: MemorySealer | None = None
) -> tuple[TableDirectory, Player, Player]:
    alice = await funded_player(platform, "alice@example.com", 20_000)
    bob = await funded_player(platform, "bob@example.com", 20_000)
    directory = await open_tables(platform.ledger, sealer or MemorySealer(), clock)
    table = directory.get(TABLE)
    await table.join(alice.player_id, 10_000, seat=0)
    assert table.model.hand is None  # one player: no hand
    await table.join(bob.player_id, 8_000, seat=3)
    return directory, alice, bob


async def test_seats_buy_in_to_escrow_and_a_hand_is_dealt(platform: Platform) -> None:
    clock = FakeClock()
    directory, alice, bob = await _two_seated(platform, clock)
    table = directory.get(TABLE)
    assert await _cash(platform, alice) == 10_000 and await _cash(platform, bob) == 12_000
    assert await _escrow(platform) == 18_000
    hand = hand_of(table)
    assert hand.seats == (3, 0)  # heads-up: the button (seat 0) posts the small blind
    await _verified(platform)


async def test_a_hand_to_a_fold_moves_the_blinds_and_takes_no_rake(platform: Platform) -> None:
    clock = FakeClock()
    directory, alice, bob = await _two_seated(platform, clock)
    table = directory.get(TABLE)
    house_before = await _house(platform)
    first = hand_of(table)
    to_act = first.to_act
    player = alice if table.model.players[to_act] == alice.player_id else bob
    await table.act(player.player_id, "fold")
    assert first.is_complete
    # the folder lost the small blind; nobody paid rake (no flop, no drop)
    assert await _house(platform) == house_before
    assert await _escrow(platform) == 18_000
    stacks = {seat: s.stack_minor for seat, s in table.model.table.seats.items()}
    assert stacks[to_act] + 50 == (10_000 if to_act == 0 else 8_000)
    assert table.model.hand is not None and table.model.hand is not first  # next hand dealt
    await _verified(platform)


async def _play_to_showdown(table, players: dict[int, Player]) -> None:  # type: ignore[no-untyped-def]
    hand = hand_of(table)
    while not hand.is_complete:
        seat = hand.to_act
        legal = hand.legal_actions()
        action = "call" if legal.call_minor else "check"
        await table.act(players[seat].player_id, action)


async def test_a_hand_to_showdown_pays_rake_and_keeps_escrow_equal_to_stacks(
    platform: Platform,
) -> None:
    clock = FakeClock()
    directory, alice, bob = await _two_seated(platform, clock)
    table = directory.get(TABLE)
    house_before = await _house(platform)
    hand = hand_of(table)
    await _play_to_showdown(table, {0: alice, 3: bob})
    assert hand.result is not None
    rake = hand.result.rake_minor
    assert rake == 10  # 5 % of a 200 pot
    assert await _house(platform) == house_before + rake
    assert await _escrow(platform) == 18_000 - rake
    assert table.model.chips_minor() == 18_000 - rake
    await _verified(platform)


async def test_refusals_change_nothing(platform: Platform) -> None:
    clock = FakeClock()
    directory, alice, bob = await _two_seated(platform, clock)
    table = directory.get(TABLE)
    head = table.model.head
    hand = hand_of(table)
    waiting = alice if table.model.players[hand.to_act] != alice.player_id else bob
    acting = bob if waiting is alice else alice
    with pytest.raises(NotYourTurn):
        await table.act(waiting.player_id, "call")
    with pytest.raises(BetOutOfRange):
        await table.act(acting.player_id, "raise", 150)  # the minimum raise is to 200
    with pytest.raises(IllegalAction):
        await table.act(acting.player_id, "check")  # 50 to call
    with pytest.raises(AlreadySeated):
        await table.join(alice.player_id, 5_000)
    carol = await funded_player(platform, "carol@example.com", 50_000)
    with pytest.raises(BuyInOutOfRange):
        await table.join(carol.player_id, 3_999)
    with pytest.raises(BuyInOutOfRange):
        await table.join(carol.player_id, 10_001)
    dave = await funded_player(platform, "dave@example.com", 4_500)
    with pytest.raises(InsufficientFunds):
        await table.join(dave.player_id, 5_000)
    assert table.model.head == head
    assert await _cash(platform, carol) == 50_000 and await _cash(platform, dave) == 4_500
    assert await _escrow(platform) == 18_000
    await _verified(platform)


async def test_timeout_folds_or_checks_for_the_player(platform: Platform) -> None:
    clock = FakeClock()
    directory, _, _ = await _two_seated(platform, clock)
    table = directory.get(TABLE)
    hand = hand_of(table)
    assert not await table.tick()  # not yet
    deadline = table.deadline_ms()
    assert deadline is not None
    clock.now_ms = deadline - 1
    assert not await table.tick()
    clock.now_ms = deadline
    assert await table.tick()
    assert hand.is_complete and hand.result is not None  # folded: 50 to call
    acted = hand.actions[-1]
    assert acted.kind.value == "fold"
    await _verified(platform)


async def test_leaving_pays_the_stack_back_and_a_waiter_takes_the_seat(
    platform: Platform,
) -> None:
    clock = FakeClock()
    directory, alice, _ = await _two_seated(platform, clock)
    table = directory.get(TABLE)
    for n in range(4):  # fill the table: 6 seats
        extra = await funded_player(platform, f"extra{n}@example.com", 10_000)
        await table.join(extra.player_id, 4_000)
    carol = await funded_player(platform, "carol@example.com", 10_000)
    await table.join(carol.player_id, 5_000)  # no seat free: waits
    assert [p for p, _ in table.model.waiting] == [carol.player_id]
    assert await _cash(platform, carol) == 10_000
    await table.leave(alice.player_id)  # in the hand: leaves when it is over
    while table.model.seat_of(alice.player_id) is not None:
        hand = hand_of(table)
        owner = table.model.players[hand.to_act]
        await table.act(owner, "fold" if hand.can_fold(hand.to_act) else "check")
    stack_back = await _cash(platform, alice) - 10_000
    assert 0 < stack_back <= 10_100
    assert table.model.seat_of(carol.player_id) is not None
    assert await _cash(platform, carol) == 5_000
    stacks, pots = table.model.chips()
    assert await _escrow(platform) == sum(stacks) + sum(pots)
    await _verified(platform)


async def test_a_table_rebuilt_from_its_stream_resumes_the_hand(platform: Platform) -> None:
    clock = FakeClock()
    sealer = MemorySealer()
    directory, _, _ = await _two_seated(platform, clock, sealer)
    table = directory.get(TABLE)
    hand = hand_of(table)
    await table.act(table.model.players[hand.to_act], "call")
    await table.act(table.model.players[hand.to_act], "check")  # flop dealt
    before = table.view()
    await directory.close()
    again = await open_tables(platform.ledger, sealer, clock)  # a new owner, same stream
    rebuilt = again.get(TABLE)
    assert rebuilt.view() == before
    resumed = hand_of(rebuilt)
    assert resumed.board == hand.board and resumed.deck == hand.deck
    while not resumed.is_complete:
        seat = resumed.to_act
        await rebuilt.act(rebuilt.model.players[seat], "check")
    assert await _escrow(platform) == 18_000 - (resumed.result.rake_minor if resumed.result else 0)
    await _verified(platform)


async def test_a_hand_that_cannot_be_rebuilt_is_cancelled_and_refunded(
    platform: Platform,
) -> None:
    clock = FakeClock()
    sealer = MemorySealer()
    directory, _, _ = await _two_seated(platform, clock, sealer)
    table = directory.get(TABLE)
    hand = hand_of(table)
    before = dict(zip(hand.seats, hand.starting_stacks_minor, strict=True))
    await table.act(table.model.players[hand.to_act], "raise", 300)
    await table.act(table.model.players[hand.to_act], "call")
    await directory.close()
    sealer.lose_all()  # the seed cannot be opened: the hand cannot be dealt again
    again = await open_tables(platform.ledger, sealer, clock)
    rebuilt = again.get(TABLE)
    events = await platform.ledger.stream_events(f"table:{TABLE}", after_seq=0, limit=1000)
    cancelled = [e for e in events if e.type == "hand.cancelled"]
    assert len(cancelled) == 1
    assert '"refunds_minor":{"0":300,"3":300}' in cancelled[0].data_json
    # everyone is back to the pre-hand stack; a new hand was dealt from those stacks
    new_hand = hand_of(rebuilt)
    assert dict(zip(new_hand.seats, new_hand.starting_stacks_minor, strict=True)) == before
    assert await _escrow(platform) == 18_000
    await _verified(platform)


async def test_ledger_verify_catches_an_escrow_that_does_not_match_the_table(
    platform: Platform,
) -> None:
    clock = FakeClock()
    directory, _, _ = await _two_seated(platform, clock)
    await _verified(platform)
    table = directory.get(TABLE)
    lie = {"escrow_account": ESCROW, "escrow_minor": 18_001}  # one chip more than it holds
    await platform.ledger.submit(
        [AppendEvent.create(f"table:{TABLE}", "table.sat_out", lie, expected_seq=table.model.head)]
    )
    report = await verify_ledger(platform.ledger.store)
    assert not report.ok
    assert any("says escrow" in problem and "18001" in problem for problem in report.problems)


def _shuffle_cli(fairness: dict[str, object], hand_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable, "-m", "croupier", "fairness", "shuffle",
            "--server-seed", str(fairness["server_seed"]),
            "--client-seed", str(fairness["client_seed"]),
            "--nonce", str(fairness["nonce"]),
            "--server-seed-hash", str(fairness["server_seed_hash"]),
            "--hand", str(hand_file),
        ],
        check=False, capture_output=True, text=True,
    )  # fmt: skip


async def test_a_finished_hand_verifies_with_croupier_fairness_shuffle(
    platform: Platform, tmp_path: Path
) -> None:
    clock = FakeClock()
    directory, alice, bob = await _two_seated(platform, clock)
    table = directory.get(TABLE)
    hand_id = table.model.info.hand_id if table.model.info else ""
    await _play_to_showdown(table, {0: alice, 3: bob})
    finished = await finished_hand(platform.ledger, hand_id)
    text = finished.text(alice.player_id)
    assert text.count("Dealt to ") == 1 and "*** SHOW DOWN ***" in text
    assert re.match(r"PokerStars Hand #\d+:  Hold'em No Limit \(0\.50/1\.00 EUR\)", text)
    history = finished.as_json(bob.player_id)
    assert history["hand_id"] == hand_id and history["hand_number_text"] in text
    assert set(history["hole_cards"]) == {"0", "3"}  # both shown at showdown
    assert len(history["board"]) == 5
    hand_file = tmp_path / "hand.json"
    hand_file.write_text(json.dumps(history))
    checked = _shuffle_cli(history["fairness"], hand_file)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["hand_matches"] is True
    history["board"][0], history["board"][1] = history["board"][1], history["board"][0]
    hand_file.write_text(json.dumps(history))
    tampered = _shuffle_cli(history["fairness"], hand_file)
    assert tampered.returncode == 1
    assert json.loads(tampered.stdout)["mismatches"]


async def test_top_up_between_hands_up_to_the_maximum_and_sitting_out(platform: Platform) -> None:
    clock = FakeClock()
    directory, alice, bob = await _two_seated(platform, clock)
    table = directory.get(TABLE)
    with pytest.raises(IllegalAction, match="waits until the hand is over"):
        await table.top_up(bob.player_id, 100)
    await table.sit_out(bob.player_id)  # from the next hand on; his turns here are automatic
    await table.act(alice.player_id, "call")  # bob (big blind) is checked for; then the flop
    while table.model.info is not None:
        await table.act(alice.player_id, "check")  # bob's checks are the table's
    assert table.model.info is None  # bob sits out: no next hand
    bob_seat = table.model.seat_of(bob.player_id)
    assert bob_seat is not None
    stack = table.model.table.seats[bob_seat].stack_minor
    with pytest.raises(IllegalAction, match="at most 10000"):
        await table.top_up(bob.player_id, 10_001 - stack)
    escrow = await _escrow(platform)
    await table.top_up(bob.player_id, 10_000 - stack)
    assert table.model.table.seats[bob_seat].stack_minor == 10_000
    assert await _escrow(platform) == escrow + 10_000 - stack
    assert await _cash(platform, bob) == 12_000 - (10_000 - stack)
    await table.sit_out(bob.player_id, sitting_out=False)
    assert table.model.info is not None  # dealt in again
    await _verified(platform)
