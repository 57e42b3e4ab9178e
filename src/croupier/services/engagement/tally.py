"""The engagement tally: play counts and daily activity, fed by the handler table.

It hears every committed ``round.settled`` notice on a player's stream (instant rounds and
blackjack alike: the player, the game and the stake) and every ``balance.changed`` of a
deposit, adds them to counters in memory (the handler is in the writer's commit path: a
few dictionary updates, never IO), and a task of its own writes the sums to the store every
``flush_interval_s`` (and on close), one transaction per flush: the store sees one upsert per
player and game, and per player and day, whatever the number of rounds.

A crash loses at most the last interval's counts: these are statistics for recommendations
and segments, never money (the ledger keeps every round). The counters are bounded: past
``pending_keys_max`` distinct keys, a flush is due at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from croupier.domain.engagement import DayActivity, SegmentRules
from croupier.domain.events.notices import BalanceChanged, RoundSettledNotice
from croupier.services.engagement.ports import DayDelta, EngagementStore, PlayDelta
from croupier.services.handlers import Committed, EventHandlers

__all__ = ["EngagementTally", "TallyLimits"]

_log = logging.getLogger("croupier.engagement")


@dataclass(frozen=True, slots=True)
class TallyLimits:
    flush_interval_s: float = 5.0
    pending_keys_max: int = 50_000

    def __post_init__(self) -> None:
        if not 0.01 <= self.flush_interval_s <= 3600:
            raise ValueError("flush_interval_s must be between 0.01 and 3600 seconds")
        if self.pending_keys_max < 1:
            raise ValueError("pending_keys_max must be at least 1")


class EngagementTally:
    def __init__(
        self,
        store: EngagementStore,
        *,
        rules: SegmentRules,
        limits: TallyLimits | None = None,
        on_flush: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.rules = rules
        self.limits = limits or TallyLimits()
        self._on_flush = on_flush
        self._plays: dict[tuple[str, str], list[int]] = {}  # rounds, stake, last ms
        self._days: dict[tuple[str, str], list[int]] = {}  # rounds, stake, late, deposits
        self._due = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def register(self, handlers: EventHandlers) -> None:
        handlers.on(RoundSettledNotice, self.round_settled)
        handlers.on(BalanceChanged, self.balance_changed)

    # -- the handlers (the commit path: counters only) ------------------------------------
    def round_settled(self, committed: Committed[RoundSettledNotice]) -> None:
        notice, at_ms = committed.record, committed.event.timestamp_ms
        play = self._plays.setdefault((notice.player_id, notice.game_id), [0, 0, 0])
        play[0] += 1
        play[1] += notice.stake
        play[2] = max(play[2], at_ms)
        moment = datetime.fromtimestamp(at_ms / 1000, UTC)
        day = self._day(notice.player_id, moment)
        day[0] += 1
        day[1] += notice.stake
        start, end = self.rules.late_night_hours
        if start <= moment.hour < end:
            day[2] += 1
        self._check_size()

    def balance_changed(self, committed: Committed[BalanceChanged]) -> None:
        record = committed.record
        if record.reason != "deposit" or record.delta <= 0:
            return
        moment = datetime.fromtimestamp(committed.event.timestamp_ms / 1000, UTC)
        self._day(record.player_id, moment)[3] += record.delta
        self._check_size()

    def _day(self, player_id: str, moment: datetime) -> list[int]:
        return self._days.setdefault((player_id, moment.date().isoformat()), [0, 0, 0, 0])

    def _check_size(self) -> None:
        if len(self._plays) + len(self._days) >= self.limits.pending_keys_max:
            self._due.set()

    # -- the flushing task ----------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="engagement-tally")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._due.wait(), self.limits.flush_interval_s)
            self._due.clear()
            try:
                await self.flush()
            except Exception:  # said loudly; the counts stay for the next flush
                _log.exception("writing the engagement counts failed")

    async def flush(self) -> int:
        """Write what was counted since the last flush; how many rows it touched. On a
        failure the counts are put back (added to what arrived meanwhile)."""
        plays, days = self._plays, self._days
        if not plays and not days:
            return 0
        self._plays, self._days = {}, {}
        play_deltas = [PlayDelta(p, g, *values) for (p, g), values in plays.items()]
        day_deltas = [
            DayDelta(p, DayActivity(date.fromisoformat(d), *values))
            for (p, d), values in days.items()
        ]
        try:
            await self.store.add(play_deltas, day_deltas)
        except BaseException:
            self._restore(plays, days)
            raise
        if self._on_flush is not None:
            self._on_flush()
        return len(play_deltas) + len(day_deltas)

    def _restore(
        self, plays: dict[tuple[str, str], list[int]], days: dict[tuple[str, str], list[int]]
    ) -> None:
        for key, (rounds, stake, last) in plays.items():
            now = self._plays.setdefault(key, [0, 0, 0])
            now[0], now[1], now[2] = now[0] + rounds, now[1] + stake, max(now[2], last)
        for key, values in days.items():
            now = self._days.setdefault(key, [0, 0, 0, 0])
            for i, value in enumerate(values):
                now[i] += value
