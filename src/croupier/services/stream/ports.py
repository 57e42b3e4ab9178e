"""The ``EventStream`` port: committed events out to subscribers, in order, resumable.

The ledger's outbox (the ``events`` table) is the source of truth. An :class:`OutboxRelay`
publishes what the writer commits, in commit order; a stream adapter delivers it live to
subscribers of its family and can replay any stream from a seq. Delivery is at least once:
a subscriber drops what it has already seen by seq (seqs are gap-free per stream).

A stream that keeps a copy of its own belongs to one ledger: each stored event carries a
:class:`BatchMark` (the ledger's identity and the chain hash of the batch that wrote it), and
a relay refuses to start on a stream whose newest event its own ledger did not write.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple, Protocol

from croupier.domain.ledger import Event

__all__ = ["BatchMark", "EventStream", "Handler", "StreamEvent", "StreamTail"]


class StreamEvent(NamedTuple):
    """One event as subscribers see it; ``data_json`` is the canonical JSON the ledger
    stored, passed through untouched."""

    stream: str
    seq: int
    type: str
    ts_ms: int
    data_json: str

    @classmethod
    def of(cls, event: Event) -> StreamEvent:
        return cls(event.stream, event.seq, event.type, event.timestamp_ms, event.data_json)

    def frame(self) -> str:
        """The JSON text pushed to a client: ``{stream, seq, type, ts, data}``."""
        return (
            f'{{"stream":{json.dumps(self.stream)},"seq":{self.seq},'
            f'"type":{json.dumps(self.type)},"ts":{self.ts_ms},"data":{self.data_json}}}'
        )


class BatchMark(NamedTuple):
    """Where a batch sits in its ledger's hash chain. ``ledger`` is the ledger's identity: the
    chain hash of its first batch, fixed by its first commit and unique to it (a timestamp and
    fresh ids are hashed in), kept by a backup and its restores."""

    ledger: str
    hash: str


class StreamTail(NamedTuple):
    """The newest event a stream stores, and the outbox batch that wrote it."""

    event: StreamEvent
    batch: int
    mark: BatchMark | None  # None: stored without a mark (by an older version)


#: Called on the event loop for each live event of a subscribed family; must not block.
Handler = Callable[[StreamEvent], None]


class EventStream(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def relayed_through(self) -> int | None:
        """The last outbox batch this stream holds, for a relay resuming after a restart;
        ``None`` when the stream keeps no copy of its own (it reads the outbox directly)."""
        ...

    async def newest(self) -> StreamTail | None:
        """The newest stored event (None when there is none, or no copy is kept): what a
        relay checks against its own ledger before it resumes."""
        ...

    async def publish(
        self,
        events: Sequence[tuple[int, StreamEvent]],
        marks: Mapping[int, BatchMark] | None = None,
    ) -> None:
        """Durable events with the outbox batch that committed each, in commit order, and
        the mark of each batch (by seq; the relay always gives them)."""

    async def broadcast(self, event: StreamEvent) -> None:
        """An ephemeral event (a ticker value): delivered live to subscribers, not stored."""

    async def head(self, stream: str) -> int:
        """The last seq of ``stream`` among the durable events this stream holds (0 when
        none): where a live subscription begins, read from the same place as ``read``."""
        ...

    async def read(self, stream: str, *, after_seq: int, limit: int) -> list[StreamEvent]:
        """A stream's durable events with seq > ``after_seq``, in order (at most ``limit``)."""
        ...

    def subscribe(self, family: str, handler: Handler) -> Callable[[], None]:
        """Live events of every stream of a family; returns the unsubscribe function."""
        ...
