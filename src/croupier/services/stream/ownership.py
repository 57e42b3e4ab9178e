"""One stream, one ledger: before a relay resumes a stream that keeps its own copy of the
events, it checks that its own ledger wrote the stream's newest event.

Each stored event carries a :class:`BatchMark`: the ledger's identity (the chain hash of its
first batch) and the chain hash of the batch that wrote it. The newest one must be a batch
this ledger holds, with the same hash: the hash chain then vouches for every batch before it.
Anything else is refused at start, never skipped over (docs/realtime.md, "One stream, one
ledger"):

- another ledger's stream: a new database pointed at a stream an earlier one filled. Its
  seqs start again at 1, so a subscriber resuming after them would miss events;
- this ledger restored to an earlier point: the stream holds batches the ledger no longer
  has (or has since written differently), which clients may already have seen.
"""

from __future__ import annotations

from croupier.domain.errors import StreamLedgerMismatch
from croupier.services.ledger.ports import OutboxReader
from croupier.services.stream.ports import StreamEvent, StreamTail

__all__ = ["check_owner", "ledger_identity"]

_REMEDY = (
    "Nothing was published. Give this ledger a stream of its own "
    "(CROUPIER_STREAM_URL=nats://…?stream=NEW_NAME&prefix=NEW_PREFIX, for every process "
    "of the deployment), or delete that stream if no client "
    "still needs its events (see docs/realtime.md, 'One stream, one ledger')."
)


async def ledger_identity(outbox: OutboxReader) -> str | None:
    """The ledger's identity, the hash of its first batch (None while it has none)."""
    return (await outbox.batch_hashes(1, 1)).get(1)


async def check_owner(outbox: OutboxReader, tail: StreamTail | None) -> None:
    """Raise :class:`StreamLedgerMismatch` unless ``tail`` (a stream's newest event) was
    written by this ledger as it now stands."""
    if tail is None:
        return
    head, _ = await outbox.head()
    ours = await ledger_identity(outbox)
    if tail.mark is not None and tail.mark.ledger != ours:
        raise StreamLedgerMismatch(
            f"the event stream holds the events of another ledger ({_short(tail.mark.ledger)}; "
            f"this one is {_short(ours) if ours else 'empty'}). {_REMEDY}"
        )
    if tail.batch > head:
        raise StreamLedgerMismatch(
            f"the event stream holds batch {tail.batch} ({_named(tail.event)}), but this "
            f"ledger ends at batch {head}: it was restored to an earlier point, or the stream "
            f"is another ledger's. {_REMEDY}"
        )
    if tail.mark is not None:
        if (await outbox.batch_hashes(tail.batch, tail.batch)).get(tail.batch) != tail.mark.hash:
            raise StreamLedgerMismatch(
                f"the event stream's batch {tail.batch} is not this ledger's batch "
                f"{tail.batch}: the ledger was restored to an earlier point and has written "
                f"other batches since. {_REMEDY}"
            )
        return
    # Stored by a version that did not mark events: the event itself must be in that batch.
    if not any(
        StreamEvent.of(event) == tail.event
        for event in await outbox.events_in_batches(tail.batch, tail.batch)
    ):
        raise StreamLedgerMismatch(
            f"the event stream's newest event ({_named(tail.event)}, batch {tail.batch}) is "
            f"not in this ledger's batch {tail.batch}: it is another ledger's stream. {_REMEDY}"
        )


def _short(ledger: str) -> str:
    return f"ledger {ledger[:12]}…"


def _named(event: StreamEvent) -> str:
    return f"{event.stream}#{event.seq}"
