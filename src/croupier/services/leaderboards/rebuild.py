"""Rebuilding the in-process boards at start from the ledger's committed round events.

The embedded boards (``memory://``) live in the server's memory, so a restart would start the
open periods (and the open tournaments' boards) afresh. The ledger already holds every fact
they were built from: each settled round is a committed, typed event, with its commit time
and batch, in commit order, for good (the events are append-only). Replaying those events
through the same code the live feed runs (:meth:`LeaderboardService.count`) rebuilds the
boards exactly as they were: the same rounds, in the same order, with the same commit times,
so the same scores and the same tie-break times. A periodic snapshot could not be exact (it
loses what came after it) and would be a second copy of the truth to keep in step.

Where to start: the first batch committed at or after the earliest moment any open period
or open tournament began, less :data:`LOOKBACK_MS` (a blackjack round's stake is in its
``round.started``, which may come a little before the period; rounds before a period's start
are left out by the feed itself, so reading more is harmless). Batches are numbered in commit
order and carry their commit time, so the first one is found by binary search over
:meth:`~croupier.services.ledger.ports.OutboxReader.events_in_batches`, reading a window
of batches at each step (a batch without events says nothing about time).

The replay stops at the ledger's head read before it starts; commits after that head reach
the handlers as usual, and the service ignores any event at or below it (one the writer
committed just before the head was read but whose handlers ran after).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Final

from croupier.domain.engagement.boards import RoundFacts
from croupier.domain.errors import UnreadableEvent
from croupier.domain.events import decode, family_of
from croupier.domain.events.rounds import RoundAction, RoundPlayed, RoundSettled, RoundStarted
from croupier.domain.ledger import Event
from croupier.services.leaderboards.feed import RoundTracker, facts_of_played
from croupier.services.ledger.ports import OutboxReader

__all__ = ["LOOKBACK_MS", "first_batch_since", "replay_rounds"]

#: How far before the earliest period start the replay reads (blackjack rounds' starts).
LOOKBACK_MS: Final = 15 * 60_000
#: Batches read per step (bounds one read's events: a batch holds a few round events).
WINDOW_BATCHES: Final = 256
_ROUND_TYPES: Final = frozenset(
    {RoundPlayed.TYPE, RoundStarted.TYPE, RoundAction.TYPE, RoundSettled.TYPE}
)

Count = Callable[[Sequence[tuple[RoundFacts, int, int]]], Awaitable[None]]


async def _first_time_from(ledger: OutboxReader, seq: int, head: int) -> int | None:
    """The commit time of the first event in batches ``seq``…``head`` (None: no events)."""
    while seq <= head:
        last = min(seq + WINDOW_BATCHES - 1, head)
        events = await ledger.events_in_batches(seq, last)
        if events:
            return events[0].timestamp_ms
        seq = last + 1
    return None


async def first_batch_since(ledger: OutboxReader, since_ms: int, head: int) -> int:
    """The first batch (``head + 1`` if none) whose first event was committed at or after
    ``since_ms``: commit times rise with the batch number, so a binary search finds it."""
    low, high = 1, head + 1
    while low < high:
        middle = (low + high) // 2
        found = await _first_time_from(ledger, middle, head)
        if found is None or found >= since_ms:
            high = middle
        else:
            low = middle + 1
    return low


async def replay_rounds(
    ledger: OutboxReader,
    first: int,
    head: int,
    count: Count,
    *,
    batch_max: int,
    tracker: RoundTracker | None = None,
) -> int:
    """Feed every settled round committed by batches ``first``…``head`` to ``count``, in
    commit order, ``batch_max`` at a time, as the live feed does; how many rounds."""
    tracker = tracker or RoundTracker()
    pending: list[tuple[RoundFacts, int, int]] = []
    rounds = 0
    seq = first
    while seq <= head:
        last = min(seq + WINDOW_BATCHES - 1, head)
        for event in await ledger.events_in_batches(seq, last):
            facts = _facts(event, tracker)
            if facts is None:
                continue
            pending.append((facts, event.timestamp_ms, event.batch_seq))
            if len(pending) >= batch_max:
                await count(pending)
                rounds += len(pending)
                pending = []
        seq = last + 1
    if pending:
        await count(pending)
        rounds += len(pending)
    return rounds


def _facts(event: Event, tracker: RoundTracker) -> RoundFacts | None:
    if event.type not in _ROUND_TYPES or family_of(event.stream) != RoundPlayed.FAMILY:
        return None
    try:
        record = decode(event)
    except UnreadableEvent:  # the live feed skips it too
        return None
    if isinstance(record, RoundPlayed):
        return facts_of_played(record)
    if isinstance(record, RoundStarted):
        tracker.started(record)
    elif isinstance(record, RoundAction):
        tracker.acted(record)
    elif isinstance(record, RoundSettled):
        return tracker.settled(record)
    return None
