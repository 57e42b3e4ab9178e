"""The tournament state machine: registration, start or cancel, the clock, re-buys and
add-on, simultaneous eliminations, hand-for-hand and the refusals (which change nothing)."""

from __future__ import annotations

from typing import Any

import pytest

from croupier.adapters.tournament_files import load_shipped_structure
from croupier.domain.errors import IllegalAction, InvariantBroken
from croupier.domain.games.holdem import Table, TableConfig
from croupier.domain.poker import tournament_events as ev
from croupier.domain.poker.tournament import HandOutcome, Tournament, TournamentStatus
from croupier.domain.poker.tournament_rules import outcome_of_hand
from croupier.domain.poker.tournament_structure import structure_from_dict
from tests.support.poker import SeededRng

RNG = SeededRng(3)


def small_mtt(**changes: Any) -> Tournament:
    """6 players at 2 tables of 3; 3 paid (50/30/20); no re-buys unless asked."""
    data: dict[str, Any] = {
        "id": "tiny", "name": "Tiny", "kind": "mtt", "currency": "EUR",
        "seats_per_table": 3, "buy_in_minor": 1_000, "fee_minor": 100, "starting_stack": 100,
        "entries_min": 4, "entries_max": 6, "late_registration_until_level": 1,
        "levels": [
            {"small_blind": 1, "big_blind": 2, "minutes": 10},
            {"small_blind": 2, "big_blind": 4, "minutes": 10},
        ],
        "payouts": [{"entries_min": 4, "entries_max": 6,
                     "places": [[1, 1, 5000], [2, 2, 3000], [3, 3, 2000]]}],
    }  # fmt: skip
    data.update(changes)
    tournament = Tournament(structure_from_dict(data), scheduled_start_s=100)
    return tournament


def started(tournament: Tournament, players: int = 6) -> Tournament:
    for number in range(players):
        tournament.register(f"p{number}", 0, RNG)
    events = tournament.tick(100, RNG)
    assert isinstance(events[0], ev.TournamentStarted)
    return tournament


def hand(tournament: Tournament, table_id: int, finals: dict[str, int]) -> HandOutcome:
    table = next(t for t in tournament.tables if t.table_id == table_id)
    stacks = tournament.stacks()
    starting = {who: stacks[who] for who in table.players.values() if stacks[who]}
    final = {**starting, **finals}
    return HandOutcome(table_id, min(table.players), starting, final)


def places(events: list[ev.TournamentEvent]) -> set[tuple[str, int, int]]:
    return {
        (e.entrant_id, e.place, e.tied_to_place)
        for e in events
        if isinstance(e, ev.PlayerEliminated)
    }


def test_a_sit_and_go_starts_when_full() -> None:
    sng = Tournament(load_shipped_structure("sng-9-turbo"))
    for number in range(8):
        assert sng.register(f"p{number}", 0, RNG)[0] == ev.PlayerRegistered(
            f"p{number}", 500, 50, False, number + 1
        )
    assert sng.status is TournamentStatus.REGISTERING
    events = sng.register("p8", 0, RNG)
    assert sng.status is TournamentStatus.RUNNING and sng.level == 1
    assert [type(e).__name__ for e in events][:2] == ["PlayerRegistered", "TournamentStarted"]
    assert len(sng.tables) == 1 and sng.tables[0].size == 9
    with pytest.raises(IllegalAction, match="full"):
        sng.register("p9", 0, RNG)


def test_an_mtt_below_its_minimum_is_cancelled_and_every_entry_refunded() -> None:
    mtt = small_mtt()
    for number in range(3):
        mtt.register(f"p{number}", 0, RNG)
    assert mtt.tick(99, RNG) == []
    (cancelled,) = mtt.tick(100, RNG)
    assert isinstance(cancelled, ev.TournamentCancelled)
    assert cancelled.refunds == tuple(ev.Refund(f"p{n}", 1_100) for n in range(3))
    assert cancelled.to_dict()["refunds"][0] == {"entrant_id": "p0", "amount_minor": 1_100}
    assert mtt.status is TournamentStatus.CANCELLED
    with pytest.raises(IllegalAction, match="closed"):
        mtt.register("late", 200, RNG)


def test_registration_refusals_and_unregistering() -> None:
    mtt = small_mtt()
    mtt.register("a", 0, RNG)
    with pytest.raises(IllegalAction, match="already registered"):
        mtt.register("a", 0, RNG)
    assert mtt.unregister("a") == [ev.PlayerUnregistered("a", 1_100)]
    assert mtt.entries == 0


def test_late_registration_until_its_level_then_closed() -> None:
    mtt = started(small_mtt(), players=4)
    events = mtt.register("late", 150, RNG)
    assert events[0] == ev.PlayerRegistered("late", 1_000, 100, True, 5)
    assert any(isinstance(e, ev.PlayerSeated) and e.entrant_id == "late" for e in events)
    events = mtt.tick(100 + 600, RNG)
    assert ev.LateRegistrationClosed(5, 3) in events
    with pytest.raises(IllegalAction, match="late registration is closed"):
        mtt.register("later", 800, RNG)


def test_levels_and_breaks_follow_the_injected_clock() -> None:
    daily = Tournament(load_shipped_structure("mtt-daily"), scheduled_start_s=0)
    for number in range(20):
        daily.register(f"p{number}", 0, RNG)
    daily.tick(0, RNG)
    events = daily.tick(4 * 600, RNG)  # end of level 4: the first break
    assert [type(e).__name__ for e in events] == [
        "LevelAdvanced", "LevelAdvanced", "LevelAdvanced", "BreakStarted"
    ]  # fmt: skip
    assert daily.status is TournamentStatus.ON_BREAK
    events = daily.tick(4 * 600 + 300, RNG)
    assert isinstance(events[0], ev.BreakEnded) and daily.level == 5
    assert daily.status is TournamentStatus.RUNNING


def test_rebuy_and_add_on_eligibility() -> None:
    daily = Tournament(load_shipped_structure("mtt-daily"), scheduled_start_s=0)
    for number in range(20):
        daily.register(f"p{number}", 0, RNG)
    daily.tick(0, RNG)
    assert daily.can_rebuy("p0")  # 10,000 chips: at most the starting stack
    daily.rebuy("p0")
    with pytest.raises(IllegalAction, match="at most 10000"):
        daily.rebuy("p0")  # now 20,000
    with pytest.raises(IllegalAction, match="not offered now"):
        daily.add_on("p1")
    daily.tick(3 * 600, RNG)  # level 4
    assert daily.add_on("p1") == [ev.AddOnBought("p1", 15_000, 1_000)]
    with pytest.raises(IllegalAction, match="already"):
        daily.add_on("p1")
    daily.tick(4 * 600 + 300, RNG)  # level 5: re-buys closed
    with pytest.raises(IllegalAction, match="re-buys are not open"):
        daily.rebuy("p2")
    assert daily.chips_in_play() == 20 * 10_000 + 10_000 + 15_000
    assert daily.prize_pool_minor() == 150_000  # the guarantee covers 22,000 collected


def test_simultaneous_busts_rank_by_starting_stack_and_tie_when_equal() -> None:
    mtt = started(small_mtt())
    table = mtt.tables[0]
    a, b, c = (table.players[seat] for seat in sorted(table.players))
    # a wins everything from b and c, who started the hand with equal stacks: they tie.
    events = mtt.record_hands([hand(mtt, table.table_id, {a: 300, b: 0, c: 0})], RNG)
    assert places(events) == {(b, 5, 6), (c, 5, 6)}
    assert mtt.ranking() == {b: (5, 6), c: (5, 6)}
    assert all(t.size == 2 for t in mtt.tables)  # rebalanced: 3 + 1 -> 2 + 2


def test_hand_for_hand_on_the_bubble_ranks_a_round_together() -> None:
    mtt = started(small_mtt())
    first = mtt.tables[0]
    keep, lose = sorted(first.players.values())[:2]
    events = mtt.record_hands([hand(mtt, first.table_id, {keep: 200, lose: 0})], RNG)
    # 5 left, 3 paid: not yet; one more bust makes 4 = paid + 1 at two tables.
    assert not any(isinstance(e, ev.HandForHandStarted) for e in events)
    second = next(t for t in mtt.tables if t.size == 3)
    x, y = sorted(second.players.values())[:2]
    events = mtt.record_hands([hand(mtt, second.table_id, {x: 200, y: 0})], RNG)
    assert ev.HandForHandStarted(4, 3) in events
    assert mtt.status is TournamentStatus.HAND_FOR_HAND
    with pytest.raises(IllegalAction, match="every table"):
        mtt.record_hands([hand(mtt, mtt.tables[0].table_id, {})], RNG)
    # One hand-for-hand round: a bust at each table, both starting with 100: they tie 3-4.
    outcomes = []
    busted = []
    stacks = mtt.stacks()
    for table in mtt.tables:
        poor = min(table.players.values(), key=lambda who: (stacks[who], who))
        rich = next(who for who in table.players.values() if who != poor)
        assert stacks[poor] == 100
        busted.append(poor)
        outcomes.append(hand(mtt, table.table_id, {poor: 0, rich: stacks[rich] + 100}))
    events = mtt.record_hands(outcomes, RNG)
    assert places(events) == {(busted[0], 3, 4), (busted[1], 3, 4)}
    assert ev.HandForHandEnded(2) in events
    assert len(mtt.tables) == 1  # the final table
    final = mtt.tables[0]
    one, two = final.players.values()
    stacks = mtt.stacks()
    events = mtt.record_hands(
        [hand(mtt, final.table_id, {one: stacks[one] + stacks[two], two: 0})], RNG
    )
    assert ev.TournamentFinished(one, 6_000) in events
    payouts = {p.entrant_id: p.amount_minor for p in mtt.payouts()}
    assert payouts == {one: 3_000, two: 1_800, busted[0]: 600, busted[1]: 600}


def test_bad_hand_reports_are_refused_and_change_nothing() -> None:
    mtt = started(small_mtt())
    table = mtt.tables[0]
    a, b = sorted(table.players.values())[:2]
    before = (mtt.stacks(), mtt.tables)
    wrong_start = HandOutcome(table.table_id, min(table.players), {a: 99, b: 100}, {a: 199, b: 0})
    with pytest.raises(IllegalAction, match="another stack"):
        mtt.record_hands([wrong_start], RNG)
    created = HandOutcome(table.table_id, min(table.players), {a: 100, b: 100}, {a: 250, b: 0})
    with pytest.raises(InvariantBroken, match="chip total"):
        mtt.record_hands([created], RNG)
    halves = HandOutcome(table.table_id, min(table.players), {a: 100, b: 100}, {a: 99.5, b: 100.5})
    with pytest.raises(IllegalAction, match="not whole chips"):
        mtt.record_hands([halves], RNG)
    stranger = HandOutcome(
        table.table_id, min(table.players), {a: 100, "zed": 100}, {a: 200, "zed": 0}
    )
    with pytest.raises(IllegalAction, match="not the seated players"):
        mtt.record_hands([stranger], RNG)
    with pytest.raises(IllegalAction, match="finished"):
        mtt.payouts()
    assert (mtt.stacks(), mtt.tables) == before


def test_a_bust_during_rebuys_is_offered_one_and_eliminated_when_they_close() -> None:
    daily = Tournament(load_shipped_structure("mtt-daily"), scheduled_start_s=0)
    for number in range(20):
        daily.register(f"p{number:02}", 0, RNG)
    daily.tick(0, RNG)
    table = daily.tables[0]
    loser, winner = sorted(table.players.values())[:2]
    outcome = HandOutcome(
        table.table_id,
        min(table.players),
        {loser: 10_000, winner: 10_000},
        {loser: 0, winner: 20_000},
    )
    assert daily.record_hands([outcome], RNG) == [ev.RebuyOffered(loser)]
    assert daily.stacks()[loser] == 0 and daily.players_remaining() == 20
    events = daily.tick(4 * 600 + 300, RNG)  # level 5: re-buys are over
    assert ev.PlayerEliminated(loser, 20, 20, True) in events
    assert daily.ranking() == {loser: (20, 20)}
    with pytest.raises(IllegalAction, match="not playing"):
        daily.rebuy(loser)


def test_hands_dealt_by_the_engine_report_into_the_tournament() -> None:
    sng = Tournament(load_shipped_structure("sng-6-max"))
    for number in range(6):
        sng.register(f"p{number}", 0, RNG)
    for _ in range(5):
        seating = sng.tables[0]
        level = sng.structure.level(sng.level)
        config = TableConfig(level.small_blind, level.big_blind, seat_count=seating.seat_count)
        stacks = sng.stacks()
        table = Table(config, {seat: stacks[who] for seat, who in seating.players.items()},
                      button_seat=seating.button_seat)  # fmt: skip
        hand = table.start_hand(RNG)
        while (legal := hand.legal_actions()) is not None:  # everyone calls down
            hand.check_or_call(legal.seat)
        assert hand.result is not None
        sng.record_hands([outcome_of_hand(seating.table_id, hand.result, seating.players)], RNG)
        assert sum(sng.stacks().values()) == 6 * 1_500
        assert sng.tables[0].button_seat == hand.button_seat
