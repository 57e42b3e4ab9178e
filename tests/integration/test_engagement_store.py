"""The engagement store's contract, on the in-process twin, SQLite and PostgreSQL: deltas
add up into one row per player and game and per player and day, the last round's time keeps
the later, a batch is all or nothing, and the tally feeds it from committed events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

import pytest

from croupier.domain.engagement import DayActivity, SegmentRules
from croupier.domain.events.notices import BalanceChanged, RoundSettledNotice
from croupier.domain.ledger import Event
from croupier.personalisation_wiring import EngagementDatabaseStore, make_engagement_store
from croupier.services.engagement.model import PlayCount
from croupier.services.engagement.ports import DayDelta, MemoryEngagementStore, PlayDelta
from croupier.services.engagement.tally import EngagementTally
from croupier.services.handlers import Committed
from tests.support.audit import migrated
from tests.support.raw_sql import raw_fetch

DAY = date(2026, 3, 2)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: object) -> str:
    if request.param == "memory":
        return "memory"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/ledger.db"
    return str(request.getfixturevalue("postgres_url"))


@asynccontextmanager
async def opened(engine: str) -> AsyncIterator[EngagementDatabaseStore]:
    if engine == "memory":
        yield MemoryEngagementStore()
        return
    async with migrated(engine):
        store = make_engagement_store(engine)
        await store.open()
        try:
            yield store
        finally:
            await store.close()


async def test_deltas_add_up_per_player_and_game(engine: str) -> None:
    async with opened(engine) as store:
        await store.add([PlayDelta("p1", "lotus-20", 3, 300, 2_000)], [])
        await store.add(
            [PlayDelta("p1", "lotus-20", 2, 500, 1_000), PlayDelta("p2", "orchard-10", 1, 50, 5)],
            [],
        )
        mine = await store.player_plays("p1")
        newest_first = await store.play_counts(limit=10)
        first_only = await store.play_counts(limit=1)
        summaries = await store.summaries(DAY, limit=10)
    assert mine == [PlayCount("p1", "lotus-20", 5, 800)]
    assert newest_first == [
        PlayCount("p1", "lotus-20", 5, 800),
        PlayCount("p2", "orchard-10", 1, 50),
    ]
    assert first_only == newest_first[:1]
    # the later of the two times stays, whatever the order the deltas came in
    assert [(s.player_id, s.last_played_ms) for s in summaries] == [("p1", 2_000), ("p2", 5)]


async def test_days_add_up_and_older_days_are_left_out(engine: str) -> None:
    async with opened(engine) as store:
        old = DayActivity(date(2026, 1, 1), rounds=9)
        await store.add([], [DayDelta("p1", DayActivity(DAY, 2, 200, 1, 0)), DayDelta("p1", old)])
        await store.add([], [DayDelta("p1", DayActivity(DAY, 1, 100, 1, 5_000))])
        await store.add([], [DayDelta("p2", DayActivity(DAY, deposits_minor=700))])
        one = await store.summaries(DAY, player_id="p1", limit=1)
        page = await store.summaries(date(2025, 1, 1), limit=1)
    assert len(one) == 1 and one[0].last_played_ms is None
    assert one[0].days == (DayActivity(DAY, 3, 300, 2, 5_000),)
    assert [s.player_id for s in page] == ["p1"] and page[0].days[0] == old


async def test_an_unknown_player_has_nothing(engine: str) -> None:
    async with opened(engine) as store:
        assert await store.player_plays("nobody") == []
        assert await store.summaries(DAY, limit=5) == []
        found = await store.summaries(DAY, player_id="nobody", limit=1)
        assert not await store.has_open_risk_flag("nobody")
    assert found[0].last_played_ms is None and found[0].days == ()


async def test_a_batch_that_fails_adds_nothing(engine: str) -> None:
    if engine == "memory":
        pytest.skip("the in-process twin has no constraint to break")
    async with opened(engine) as store:
        with pytest.raises(Exception):  # noqa: B017 - each engine names it its own way
            await store.add(
                [PlayDelta("p1", "lotus-20", 1, 100, 1), PlayDelta("p1", "orchard-10", 1, -5, 1)],
                [],
            )
        assert await store.player_plays("p1") == []


def _settled(player: str, game: str, stake: int, at_ms: int) -> Committed[RoundSettledNotice]:
    record = RoundSettledNotice(
        player_id=player, round_id="r", game_id=game, currency="EUR", stake=stake, win=0,
        jackpot_hit=False,
    )  # fmt: skip
    return Committed(record, Event(f"player:{player}", 1, record.TYPE, "{}", at_ms, 1))


def _deposit(player: str, delta: int, at_ms: int) -> Committed[BalanceChanged]:
    record = BalanceChanged(player_id=player, reason="deposit", delta=delta, transfer_id="t")
    return Committed(record, Event(f"player:{player}", 2, record.TYPE, "{}", at_ms, 1))


async def test_the_tally_writes_aggregates_of_committed_events(engine: str) -> None:
    three_am = 1_772_420_400_000  # 2026-03-02 03:00 UTC: late at night
    noon = three_am + 9 * 3_600_000
    async with opened(engine) as store:
        tally = EngagementTally(store, rules=SegmentRules())
        for _ in range(3):
            tally.round_settled(_settled("p1", "lotus-20", 100, three_am))
        tally.round_settled(_settled("p1", "lotus-20", 400, noon))
        tally.balance_changed(_deposit("p1", 5_000, noon))
        tally.balance_changed(_deposit("p1", -700, noon))  # not a deposit: a withdrawal
        rows = await tally.flush()
        again = await tally.flush()
        plays = await store.player_plays("p1")
        summary = (await store.summaries(DAY, player_id="p1", limit=1))[0]
        if engine != "memory":
            stored = await raw_fetch(engine, "SELECT COUNT(*) FROM engagement_plays")
            assert stored[0][0] == 1  # aggregated: one row, not one per round
    assert (rows, again) == (2, 0)
    assert plays == [PlayCount("p1", "lotus-20", 4, 700)]
    assert summary.last_played_ms == noon
    assert summary.days == (DayActivity(DAY, 4, 700, 3, 5_000),)


async def test_a_failed_flush_keeps_the_counts_for_the_next(engine: str) -> None:
    if engine != "memory":
        pytest.skip("the failure is the closed store's, engine-independent")

    class Failing(MemoryEngagementStore):
        fail = True

        async def add(self, plays: object, days: object) -> None:  # type: ignore[override]
            if self.fail:
                raise OSError("disk full")
            await super().add(plays, days)  # type: ignore[arg-type]

    store = Failing()
    tally = EngagementTally(store, rules=SegmentRules())
    tally.round_settled(_settled("p1", "lotus-20", 100, 1_000))
    with pytest.raises(OSError):
        await tally.flush()
    tally.round_settled(_settled("p1", "lotus-20", 100, 2_000))
    store.fail = False
    await tally.flush()
    assert await store.player_plays("p1") == [PlayCount("p1", "lotus-20", 2, 200)]
