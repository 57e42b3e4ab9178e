"""A 200-entrant MTT played to its winner with simulated all-in hands (no IO, seeded).

Checks after every hand: chips conserved, tables balanced per TDA (within one player, as
few tables as hold everyone); at the end: every entrant ranked once, payouts sum exactly to
the prize pool and never increase down the places.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from croupier.adapters.tournament_files import load_shipped_structure
from croupier.domain.poker import tournament_events as ev
from croupier.domain.poker.tournament import Tournament, TournamentStatus
from tests.support.poker import SeededRng, all_in_hand

HAND_SECONDS = 30


def check_tables(tournament: Tournament) -> None:
    tables = tournament.tables
    sizes = [table.size for table in tables]
    seats = tournament.structure.seats_per_table
    assert max(sizes) - min(sizes) <= 1, sizes
    assert len(tables) == -(-tournament.players_remaining() // seats)
    seated = [who for table in tables for who in table.players.values()]
    assert sorted(seated) == sorted(tournament.stacks())


def decide_rebuys_and_add_ons(tournament: Tournament, rng: SeededRng) -> list[ev.TournamentEvent]:
    events: list[ev.TournamentEvent] = []
    for who, stack in sorted(tournament.stacks().items()):
        if stack == 0 and tournament.status is not TournamentStatus.FINISHED:
            if tournament.can_rebuy(who) and rng.uniform(2):
                events += tournament.rebuy(who)
            else:
                events += tournament.decline_rebuy(who, rng)
        elif tournament.can_add_on(who) and rng.uniform(2):
            events += tournament.add_on(who)
    return events


def play_round(tournament: Tournament, rng: SeededRng) -> list[ev.TournamentEvent]:
    events: list[ev.TournamentEvent] = []
    if tournament.status is TournamentStatus.HAND_FOR_HAND:
        stacks = tournament.stacks()
        outcomes = [all_in_hand(table, stacks, rng) for table in tournament.tables]
        ready = [outcome for outcome in outcomes if outcome is not None]
        if len(ready) == len(outcomes):
            events += tournament.record_hands(ready, rng)
            assert sum(tournament.stacks().values()) == tournament.chips_in_play()
            if tournament.status is not TournamentStatus.FINISHED:
                check_tables(tournament)
        return events
    for table_id in [table.table_id for table in tournament.tables]:
        table = next((t for t in tournament.tables if t.table_id == table_id), None)
        if table is None or tournament.status is TournamentStatus.FINISHED:
            continue
        outcome = all_in_hand(table, tournament.stacks(), rng)
        if outcome is not None:
            events += tournament.record_hands([outcome], rng)
            assert sum(tournament.stacks().values()) == tournament.chips_in_play()
            if tournament.status is not TournamentStatus.FINISHED:
                check_tables(tournament)
        if tournament.status is TournamentStatus.HAND_FOR_HAND:
            break
    return events


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_200_entrant_mtt_runs_to_its_winner(seed: int) -> None:
    rng = SeededRng(seed)
    structure = load_shipped_structure("mtt-daily")
    tournament = Tournament(structure, scheduled_start_s=1_000)
    events: list[ev.TournamentEvent] = []
    for number in range(190):
        events += tournament.register(f"p{number:03}", now_s=0, rng=rng)
    events += tournament.tick(1_000, rng)
    assert tournament.status is TournamentStatus.RUNNING
    check_tables(tournament)
    now_s, late = 1_000, 190
    for _ in range(20_000):
        if tournament.status is TournamentStatus.FINISHED:
            break
        now_s += HAND_SECONDS
        events += tournament.tick(now_s, rng)
        name = f"p{late:03}"
        if (
            late < 200
            and tournament.level >= 2
            and rng.uniform(4) == 0
            and tournament.can_register(name)
        ):
            events += tournament.register(name, now_s=now_s, rng=rng)
            late += 1
            check_tables(tournament)
        events += decide_rebuys_and_add_ons(tournament, rng)
        if tournament.status is not TournamentStatus.ON_BREAK:
            events += play_round(tournament, rng)
    assert tournament.status is TournamentStatus.FINISHED
    assert tournament.entries == 200

    ranking = tournament.ranking()
    assert len(ranking) == 200
    covered = Counter(place for best, worst in ranking.values() for place in range(best, worst + 1))
    per_place = Counter(ranking.values())
    assert all(per_place[(best, worst)] == worst - best + 1 for best, worst in per_place)
    assert sorted(covered) == list(range(1, 201)) and set(covered.values()) == {1}

    payouts = tournament.payouts()
    pool = tournament.prize_pool_minor()
    assert sum(payout.amount_minor for payout in payouts) == pool
    assert pool == max(150_000, 1_000 * (200 + tournament._rebuys + tournament._add_ons))
    by_place = sorted(payouts, key=lambda payout: payout.place)
    amounts = [payout.amount_minor for payout in by_place]
    assert amounts == sorted(amounts, reverse=True)
    assert len(payouts) == 30

    kinds = Counter(type(event).__name__ for event in events)
    for kind in ("TournamentStarted", "LevelAdvanced", "BreakStarted", "PlayerEliminated",
                 "TableBroken", "PlayerMoved", "HandForHandStarted", "TournamentFinished",
                 "RebuyBought", "AddOnBought", "LateRegistrationClosed"):  # fmt: skip
        assert kinds[kind] > 0, kind
    assert kinds["PlayerEliminated"] == 199
    lobby = json.loads(json.dumps([event.to_dict() for event in events]))  # the lobby stream
    assert {item["type"] for item in lobby} >= {"tournament-started", "player-eliminated"}
