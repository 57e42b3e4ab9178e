"""Leaderboards: fed by committed rounds through the handler table, queried by the API.

Round events reach :meth:`LeaderboardService.subscribe`'s handlers in commit order, on the
writer's commit path: each is turned into :class:`RoundFacts` and queued (bounded), and a
task of its own applies the queue to the boards in batches (one round trip to Redis per
batch), then tells :class:`LiveBoards` which boards changed. A round counts in the period
that holds its commit time; its tie-break time is the commit time too, so the standings
follow from the committed rounds alone. Other feeds (slot tournaments) register with
:meth:`add_feed` and get the same facts in the same task.

Periods close on a timer (``roll_interval_s``): the closing period's standings (its top
``archive_entries_max``) are kept in the database, then its live set is deleted.

In-process boards are rebuilt at start from the ledger's committed round events
(:meth:`LeaderboardService.rebuild`, ``rebuild.py``), before counting starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from croupier.domain.engagement.boards import (
    LeaderboardDefinition,
    RoundFacts,
    metric_value,
    parse_leaderboard,
)
from croupier.domain.errors import InvalidInput, NotFound, StateConflict
from croupier.domain.events.rounds import RoundAction, RoundPlayed, RoundSettled, RoundStarted
from croupier.services.handlers import Committed, EventHandlers
from croupier.services.leaderboards.feed import RoundTracker, facts_of_played
from croupier.services.leaderboards.live import LiveBoards
from croupier.services.leaderboards.periods import (
    Period,
    check_schedule,
    period_at,
    previous_period,
)
from croupier.services.leaderboards.ports import (
    BoardState,
    ClosedPeriod,
    EngagementStore,
    Entry,
    Update,
    around,
)
from croupier.services.leaderboards.rebuild import LOOKBACK_MS, first_batch_since, replay_rounds
from croupier.services.ledger.ports import OutboxReader

__all__ = ["CountStats", "Feed", "LeaderboardLimits", "LeaderboardService", "period_key"]

_log = logging.getLogger("croupier.leaderboards")

#: Another consumer of the facts (a tournament): returns its board updates and the boards
#: it changed.
Feed = Callable[[RoundFacts, int], Awaitable[tuple[list[Update], list[str]]]]


@dataclass(frozen=True, slots=True)
class LeaderboardLimits:
    queue_max: int = 100_000  # rounds waiting to be counted; beyond, dropped and logged
    batch_max: int = 1000  # rounds applied per round trip
    page_max: int = 100  # entries per query
    radius_max: int = 25  # players either side of one
    archive_entries_max: int = 1000  # a closed period keeps its top this many
    roll_interval_s: float = 1.0
    live_interval_s: float = 1.0
    live_top: int = 10

    def __post_init__(self) -> None:
        if min(self.queue_max, self.batch_max, self.page_max, self.archive_entries_max) < 1:
            raise ValueError("leaderboard limits must be at least 1")


@dataclass(slots=True)
class CountStats:
    """The counting task's running totals, read by ``/metrics`` (and the live benchmark)."""

    rounds: int = 0  # rounds counted (replayed ones included)
    updates: int = 0  # board updates applied
    busy_s: float = 0.0  # time spent counting: updates / busy_s is the capacity left
    queue_high: int = 0  # the most rounds ever waiting at once


def period_key(board_id: str, period: str) -> str:
    return f"{board_id}:{period}"


class LeaderboardService:
    def __init__(
        self,
        boards: BoardState,
        store: EngagementStore,
        shipped: Mapping[str, LeaderboardDefinition],
        *,
        clock_ms: Callable[[], int],
        limits: LeaderboardLimits | None = None,
    ) -> None:
        self.boards = boards
        self.store = store
        self.shipped = dict(shipped)
        self.definitions: dict[str, LeaderboardDefinition] = dict(shipped)
        self.clock_ms = clock_ms
        self.limits = limits or LeaderboardLimits()
        self.live: LiveBoards | None = None  # set by the composition root (writer only)
        self.dropped = 0  # facts the full queue turned away (a gauge for operators)
        self.stats = CountStats()
        self._tracker = RoundTracker()
        self._feeds: list[Feed] = []
        self._queue: deque[tuple[RoundFacts, int, int]] = deque()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._current: dict[str, Period] = {}
        self._tasks: list[asyncio.Task[None]] = []
        #: The ledger head :meth:`rebuild` replayed up to (0: no rebuild).
        self._replayed_through = 0

    # -- lifecycle ---------------------------------------------------------------------------
    async def load(self) -> None:
        """Read the back office's definitions (a gateway does only this)."""
        for raw in await self.store.definitions():
            definition = parse_leaderboard(json.loads(raw), where="leaderboard_definitions")
            self.definitions.setdefault(definition.id, definition)

    async def start(
        self, *, history: OutboxReader | None = None, since_ms: int | None = None
    ) -> None:
        """As the writer: load; with ``history`` (in-process boards, lost by a restart),
        rebuild them from the ledger's round events (:meth:`rebuild`); close periods that
        ended while stopped, then count."""
        await self.load()
        if history is not None:
            await self.rebuild(history, since_ms=since_ms)
        await self.roll()
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._count_forever(), name="leaderboards"),
            loop.create_task(self._roll_forever(), name="leaderboard-periods"),
        ]

    async def rebuild(self, history: OutboxReader, *, since_ms: int | None = None) -> int:
        """Replay the committed rounds of every open period (and of the period before it
        when its archive is missing: it ended while the server was down), and from
        ``since_ms`` (the open tournaments' start), into the boards; how many rounds. Call
        before counting starts: rounds the handlers hear of at or below the head read here
        are left to the replay (``services/leaderboards/rebuild.py`` says why it is exact)."""
        now_ms = self.clock_ms()
        starts = [] if since_ms is None else [since_ms]
        for definition in self.definitions.values():
            current = period_at(definition.reset, now_ms)
            first = previous_period(definition.reset, current)
            if await self.store.closed_period(definition.id, first.id) is not None:
                first = current
            self._current[definition.id] = first  # rounds before it are not replayed
            starts.append(first.start_ms)
        if not starts:
            return 0
        head, _ = await history.head()
        self._replayed_through = head
        first_batch = await first_batch_since(history, min(starts) - LOOKBACK_MS, head)
        rounds = await replay_rounds(
            history,
            first_batch,
            head,
            self.count,
            batch_max=self.limits.batch_max,
            tracker=self._tracker,
        )
        _log.info("leaderboards rebuilt from %d rounds (batches %d..%d)", rounds, first_batch, head)
        return rounds

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.live is not None:
            await self.live.close()

    def subscribe(self, handlers: EventHandlers) -> None:
        """Hear of every committed round (register before the platform takes traffic)."""
        handlers.on(RoundPlayed, self._played)
        handlers.on(RoundStarted, self._started)
        handlers.on(RoundAction, self._acted)
        handlers.on(RoundSettled, self._settled)

    def add_feed(self, feed: Feed) -> None:
        self._feeds.append(feed)

    async def caught_up(self) -> None:
        """Wait until every round heard of so far is counted."""
        await self._idle.wait()

    # -- the feed ----------------------------------------------------------------------------
    def _replayed(self, committed: Committed[Any]) -> bool:
        """Whether :meth:`rebuild` counted this event already (it is at or below its head)."""
        return committed.event.batch_seq <= self._replayed_through

    def _played(self, committed: Committed[RoundPlayed]) -> None:
        if not self._replayed(committed):
            self._enqueue(facts_of_played(committed.record), committed)

    def _started(self, committed: Committed[RoundStarted]) -> None:
        if not self._replayed(committed):
            self._tracker.started(committed.record)

    def _acted(self, committed: Committed[RoundAction]) -> None:
        if not self._replayed(committed):
            self._tracker.acted(committed.record)

    def _settled(self, committed: Committed[RoundSettled]) -> None:
        if self._replayed(committed):
            return
        facts = self._tracker.settled(committed.record)
        if facts is not None:
            self._enqueue(facts, committed)

    def _enqueue(self, facts: RoundFacts, committed: Committed[Any]) -> None:
        if len(self._queue) >= self.limits.queue_max:
            self.dropped += 1
            _log.error("leaderboard queue full: round %s not counted", committed.event.stream)
            return
        event = committed.event
        self._queue.append((facts, event.timestamp_ms, event.batch_seq))
        self.stats.queue_high = max(self.stats.queue_high, len(self._queue))
        self._idle.clear()
        self._wake.set()

    async def _count_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                batch = [
                    self._queue.popleft()
                    for _ in range(min(len(self._queue), self.limits.batch_max))
                ]
                try:
                    await self.count(batch)
                except Exception:  # the state store is down: these rounds are not counted
                    _log.exception("counting %d rounds on the leaderboards failed", len(batch))
            self._idle.set()

    async def count(self, batch: Sequence[tuple[RoundFacts, int, int]]) -> None:
        """Apply rounds ``(facts, commit time ms, ledger batch)`` to every board they count on."""
        started = time.perf_counter()
        updates: list[Update] = []
        changed: dict[str, int] = {}
        for facts, ts_ms, seq in batch:
            for definition in self.definitions.values():
                update = self._update_of(definition, facts, ts_ms)
                if update is not None:
                    updates.append(update)
                    changed[definition.id] = seq
            for feed in self._feeds:
                extra, boards = await feed(facts, ts_ms)
                updates.extend(extra)
                changed.update(dict.fromkeys(boards, seq))
        await self.boards.apply(updates)
        self.stats.rounds += len(batch)
        self.stats.updates += len(updates)
        self.stats.busy_s += time.perf_counter() - started
        if self.live is not None:
            for board_id, seq in changed.items():
                self.live.changed(board_id, seq)

    def _update_of(
        self, definition: LeaderboardDefinition, facts: RoundFacts, ts_ms: int
    ) -> Update | None:
        if not definition.counts(facts):
            return None
        value = metric_value(definition.metric, facts)
        if value is None:
            return None
        period = self.period_of(definition, ts_ms)
        current = self._current.setdefault(definition.id, period)
        if period.start_ms < current.start_ms:
            return None  # a period already closed: late rounds do not reopen it
        key = period_key(definition.id, period.id)
        t_s = period.seconds_in(ts_ms)
        return Update(key, facts.player_id, value, t_s, definition.sort, definition.operator)

    def period_of(self, definition: LeaderboardDefinition, ts_ms: int) -> Period:
        cached = self._current.get(definition.id)
        if cached is not None and cached.contains(ts_ms):
            return cached
        return period_at(definition.reset, ts_ms)

    # -- periods -----------------------------------------------------------------------------
    async def roll(self) -> int:
        """Close every period that has ended (and the period before the current one, if a
        stop left it open); how many were archived."""
        now_ms = self.clock_ms()
        archived = 0
        for definition in list(self.definitions.values()):
            current = period_at(definition.reset, now_ms)
            known = self._current.get(definition.id)
            ended = {previous_period(definition.reset, current)}
            if known is not None and known.start_ms < current.start_ms:
                ended.add(known)
            for period in ended:
                archived += await self._archive(definition, period)
            self._current[definition.id] = current
        return archived

    async def _archive(self, definition: LeaderboardDefinition, period: Period) -> int:
        key = period_key(definition.id, period.id)
        if await self.boards.size(key) == 0:
            return 0
        entries = await self.boards.top(key, self.limits.archive_entries_max, sort=definition.sort)
        closed = ClosedPeriod(
            definition.id, period.id, period.start_ms, period.end_ms, tuple(entries)
        )
        await self.store.archive_period(closed)  # kept before the live set goes
        await self.boards.delete(key)
        _log.info("leaderboard %s: period %s closed", definition.id, period.id)
        return 1

    async def _roll_forever(self) -> None:
        while True:
            await asyncio.sleep(self.limits.roll_interval_s)
            try:
                await self.roll()
            except Exception:
                _log.exception("closing leaderboard periods failed")

    # -- queries -----------------------------------------------------------------------------
    async def definition(self, board_id: str) -> LeaderboardDefinition:
        found = self.definitions.get(board_id)
        if found is None:
            await self.load()  # made in the back office, maybe through another process
            found = self.definitions.get(board_id)
        if found is None:
            raise NotFound(f"no leaderboard {board_id!r}")
        return found

    async def current(self, board_id: str) -> tuple[LeaderboardDefinition, Period]:
        definition = await self.definition(board_id)
        return definition, period_at(definition.reset, self.clock_ms())

    def _checked_limit(self, limit: int, bound: int, what: str) -> int:
        if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= bound:
            raise InvalidInput(f"{what} must be 0 to {bound}")
        return limit

    async def top(self, board_id: str, limit: int) -> tuple[Period, list[Entry]]:
        limit = self._checked_limit(limit, self.limits.page_max, "limit")
        definition, period = await self.current(board_id)
        key = period_key(board_id, period.id)
        return period, await self.boards.top(key, limit, sort=definition.sort)

    async def standings(self, board_id: str) -> tuple[str, list[Entry]]:
        period, top = await self.top(board_id, self.limits.live_top)
        return period.id, top

    async def me(self, board_id: str, player_id: str) -> tuple[Period, Entry | None]:
        definition, period = await self.current(board_id)
        key = period_key(board_id, period.id)
        return period, await self.boards.entry(key, player_id, sort=definition.sort)

    async def around_me(
        self, board_id: str, player_id: str, radius: int
    ) -> tuple[Period, list[Entry]]:
        radius = self._checked_limit(radius, self.limits.radius_max, "radius")
        definition, period = await self.current(board_id)
        key = period_key(board_id, period.id)
        return period, await around(self.boards, key, player_id, radius, sort=definition.sort)

    async def closed(self, board_id: str, period: str) -> ClosedPeriod:
        await self.definition(board_id)
        found = await self.store.closed_period(board_id, period)
        if found is None:
            raise NotFound(f"leaderboard {board_id!r} has no closed period {period!r}")
        return found

    async def closed_periods(self, board_id: str, limit: int) -> list[str]:
        await self.definition(board_id)
        limit = self._checked_limit(limit, self.limits.page_max, "limit")
        return await self.store.closed_periods(board_id, limit=limit)

    # -- the back office ---------------------------------------------------------------------
    async def create(self, raw: Mapping[str, Any], *, actor: str) -> LeaderboardDefinition:
        definition = parse_leaderboard(raw, where="leaderboard")
        check_schedule(definition.reset, where="leaderboard", now=datetime.now(UTC))
        if definition.id in self.definitions:
            raise StateConflict(f"leaderboard {definition.id!r} exists")
        document = json.dumps(definition.as_json(), sort_keys=True)
        if not await self.store.add_definition(definition.id, document, actor, self.clock_ms()):
            raise StateConflict(f"leaderboard {definition.id!r} exists")
        self.definitions[definition.id] = definition
        return definition

    async def delete(self, board_id: str) -> None:
        """Delete a back-office leaderboard (shipped ones are data files: 409)."""
        if board_id in self.shipped:
            raise StateConflict(f"leaderboard {board_id!r} ships as a data file")
        definition = await self.definition(board_id)
        await self.store.delete_definition(board_id)
        self.definitions.pop(board_id, None)
        period = period_at(definition.reset, self.clock_ms())
        await self.boards.delete(period_key(board_id, period.id))
