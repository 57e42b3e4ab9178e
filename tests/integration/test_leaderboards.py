"""Leaderboards on a real platform, on both engines: many rounds at once (50 players × 20
rounds, concurrently, through the round service) leave every board exactly as a brute-force
model of the recorded rounds says; a period that ends is archived in the database with its
final standings and its live set deleted; the back office's boards count like shipped ones."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from croupier.adapters.leaderboard_files import load_leaderboards
from croupier.adapters.state.leaderboards import RedisBoards
from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from croupier.domain.accounts.player import Player
from croupier.domain.engagement.boards import LeaderboardDefinition, RoundFacts, metric_value
from croupier.domain.errors import NotFound, StateConflict
from croupier.domain.events.rounds import RoundPlayed
from croupier.engagement_wiring import make_engagement_store
from croupier.services.handlers import Committed
from croupier.services.leaderboards.feed import facts_of_played
from croupier.services.leaderboards.memory import MemoryBoards
from croupier.services.leaderboards.periods import period_at
from croupier.services.leaderboards.service import LeaderboardService
from tests.support.ledger import FakeClock, open_test_ledger
from tests.support.platform import PASSWORD
from tests.support.redis import (
    STATE_SECRET,
    redis_state_url,  # noqa: F401  (a fixture)
)
from tests.support.vault import KEK_ENV

PLAYERS = 50
ROUNDS = 20
WAIT_S = 60.0


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    opened = await open_platform(load_settings(dict(KEK_ENV), database_url=database_url))
    try:
        yield opened
    finally:
        await opened.close()


async def racer(platform: Platform, n: int) -> Player:
    """A funded player (no login: fifty from one address would meet the login limiter)."""
    player = await platform.accounts.register(
        email=f"racer{n}@example.com",
        password=PASSWORD,
        date_of_birth="1990-01-01",
        country="MT",
        currency="EUR",
    )
    await platform.wallet.deposit(player, f"deposit-racer-{n}", 500_00)
    return player


def model(
    definition: LeaderboardDefinition, rounds: list[tuple[RoundFacts, int]]
) -> list[tuple[str, int]]:
    """The brute force: each player's kept score and when it was reached, then sorted."""
    kept: dict[str, tuple[int, int]] = {}
    for facts, ts_ms in rounds:
        if not definition.counts(facts):
            continue
        value = metric_value(definition.metric, facts)
        if value is None:
            continue
        period = period_at(definition.reset, ts_ms)
        t_s = period.seconds_in(ts_ms)
        old = kept.get(facts.player_id)
        if definition.operator == "incr" and old is not None:
            value += old[0]
        if definition.operator == "best" and old is not None:
            better = value > old[0] if definition.sort == "desc" else value < old[0]
            if not better:
                continue
        kept[facts.player_id] = (value, t_s)

    def place(item: tuple[str, tuple[int, int]]) -> tuple[int, int, list[int]]:
        player, (score, t_s) = item
        # then the larger player id first, as Redis' reverse order does
        return (-score if definition.sort == "desc" else score, t_s, [-ord(c) for c in player])

    return [(player, score) for player, (score, _) in sorted(kept.items(), key=place)]


async def test_many_rounds_at_once_leave_the_board_the_model_says(platform: Platform) -> None:
    await many_rounds_at_once(platform)


@pytest.fixture
def state_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("redis_state_url"))


async def test_many_rounds_at_once_on_redis_boards(tmp_path: Path, state_url: str) -> None:
    env = {**KEK_ENV, "CROUPIER_STATE_URL": state_url, "CROUPIER_STATE_SECRET": STATE_SECRET}
    settings = load_settings(env, database_url=f"sqlite:///{tmp_path}/ledger.db")
    platform = await open_platform(settings)
    try:
        assert isinstance(platform.engagement.boards, RedisBoards)  # type: ignore[union-attr]
        await many_rounds_at_once(platform)
    finally:
        await platform.close()


async def many_rounds_at_once(platform: Platform) -> None:
    assert platform.engagement is not None
    service = platform.engagement.leaderboards
    await service.create(
        {
            "id": "spins-today",
            "sort": "asc",  # fewest rounds first: the other sort, another operator
            "operator": "incr",
            "metric": "rounds",
            "reset": "0 0 * * *",
            "games": ["lotus-20"],
        },
        actor="staff:admin",
    )
    recorded: list[tuple[RoundFacts, int]] = []

    def record(committed: Committed[RoundPlayed]) -> None:
        recorded.append((facts_of_played(committed.record), committed.event.timestamp_ms))

    platform.handlers.on(RoundPlayed, record)
    players = [await racer(platform, n) for n in range(PLAYERS)]

    async def spins(n: int) -> None:
        for spin in range(ROUNDS):
            game = "lotus-20" if spin % 2 else "dragon-25"
            await platform.rounds.play(players[n], game, f"race-{n}-{spin}", {"stake": 100})

    await asyncio.wait_for(asyncio.gather(*(spins(n) for n in range(PLAYERS))), WAIT_S)
    await asyncio.wait_for(service.caught_up(), WAIT_S)
    assert len(recorded) == PLAYERS * ROUNDS
    for board_id in ("daily-multiplier", "weekly-wagered-eur", "spins-today"):
        definition = await service.definition(board_id)
        _, top = await service.top(board_id, 100)
        assert [(e.player_id, e.score) for e in top] == model(definition, recorded), board_id
        for rank, entry in enumerate(top, start=1):
            _, own = await service.me(board_id, entry.player_id)
            assert own is not None and own.rank == rank
    _, board = await service.top("spins-today", 100)
    assert {e.score for e in board} == {ROUNDS // 2}
    with pytest.raises(StateConflict):
        await service.delete("daily-multiplier")  # shipped as a data file
    await service.delete("spins-today")
    with pytest.raises(NotFound):
        await service.top("spins-today", 10)


async def test_a_period_that_ends_is_archived_and_its_live_set_deleted(database_url: str) -> None:
    clock = FakeClock(1_800_000_000_000)  # 2027-01-15T08:00:00Z
    ledger = await open_test_ledger(database_url)  # migrates the database
    store = make_engagement_store(database_url)
    await store.open()
    boards = MemoryBoards()
    hourly = {
        "id": "hourly",
        "sort": "desc",
        "operator": "best",
        "metric": "total_win",
        "currency": "EUR",
        "reset": "0 * * * *",
    }
    service = LeaderboardService(boards, store, {}, clock_ms=clock)
    try:
        await service.create(hourly, actor="staff:admin")
        period = period_at("0 * * * *", clock.now_ms)
        assert period.id == "20270115T080000Z"
        wins = [("ann", 500, 5), ("bob", 700, 9), ("ann", 900, 12), ("cy", 700, 3)]
        await service.count(
            [
                (RoundFacts(player, "lotus-20", "EUR", 100, win), clock.now_ms + s * 1000, n)
                for n, (player, win, s) in enumerate(wins, start=1)
            ]
        )
        assert await service.roll() == 0  # nothing has ended
        clock.now_ms += 3_600_000
        assert await service.roll() == 1
        closed = await service.closed("hourly", period.id)
        # cy reached 700 at 3 s, bob at 9 s: cy first
        assert [(e.rank, e.player_id, e.score) for e in closed.entries] == [
            (1, "ann", 900),
            (2, "cy", 700),
            (3, "bob", 700),
        ]
        assert await boards.size(f"hourly:{period.id}") == 0
        assert await service.closed_periods("hourly", 10) == [period.id]
        assert await service.roll() == 0  # archived once
        _, now = await service.top("hourly", 10)
        assert now == []
        with pytest.raises(NotFound):
            await service.closed("hourly", "20270115T090000Z")  # the current one is live
    finally:
        await store.close()
        await ledger.close()


async def test_a_period_that_ended_while_stopped_is_rebuilt_and_archived(
    platform: Platform,
) -> None:
    """In-process boards after a stop that spanned a period's end: the next start replays
    the ledger's rounds of that period, archives its final standings (the same as the live
    board had) and starts the new period empty."""
    assert platform.engagement is not None
    players = [await racer(platform, n) for n in range(3)]
    for n, player in enumerate(players):
        for spin in range(2):
            await platform.rounds.play(player, "lotus-20", f"gone-{n}-{spin}", {"stake": 100})
    live_service = platform.engagement.leaderboards
    await asyncio.wait_for(live_service.caught_up(), WAIT_S)
    period, live = await live_service.top("weekly-wagered-eur", 100)
    assert len(live) == 3
    later_ms = period.end_ms + 60_000  # the process was down when the week ended
    again = LeaderboardService(
        MemoryBoards(), platform.engagement.store, load_leaderboards(), clock_ms=lambda: later_ms
    )
    await again.start(history=platform.ledger)
    try:
        closed = await again.closed("weekly-wagered-eur", period.id)
        assert closed.entries == tuple(live)  # same players, scores, ranks, order
        _, now = await again.top("weekly-wagered-eur", 10)
        assert now == []
        assert again.stats.rounds == 6  # every round replayed once
    finally:
        await again.close()
