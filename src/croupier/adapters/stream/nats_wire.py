"""What a Croupier event looks like on NATS: its headers, and the messages read back.

An event's body is its ``data_json``; its stream, seq, type and time travel as headers, and
a stored one also carries its outbox batch (and, on a batch's last event, the batch-end
mark) and the batch's place in its ledger's chain (the ledger's identity, the batch's
hash). See docs/realtime.md, "The event stream on NATS JetStream".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from croupier.services.stream import BatchMark, StreamEvent

__all__ = [
    "BATCH_END_HEADER",
    "BATCH_HASH_HEADER",
    "BATCH_HEADER",
    "LEDGER_HEADER",
    "SEQ_HEADER",
    "STREAM_HEADER",
    "TS_HEADER",
    "TYPE_HEADER",
    "JetStreamRefused",
    "Stored",
    "StreamMismatch",
    "Tail",
    "event_of",
    "headers_of",
    "stored_of",
]

STREAM_HEADER = "Croupier-Stream"
SEQ_HEADER = "Croupier-Seq"
TYPE_HEADER = "Croupier-Type"
TS_HEADER = "Croupier-Ts"
BATCH_HEADER = "Croupier-Batch"
#: On the last event of its outbox batch: a stream ending without it holds part of a batch.
BATCH_END_HEADER = "Croupier-Batch-End"
#: The ledger that wrote the event (the hash of its first batch) and its batch's chain hash:
#: they bind the JetStream stream to one ledger (docs/realtime.md, "One stream, one ledger").
LEDGER_HEADER = "Croupier-Ledger"
BATCH_HASH_HEADER = "Croupier-Batch-Hash"


class JetStreamRefused(RuntimeError):
    """JetStream did not store a message (the reason is the server's)."""


class StreamMismatch(RuntimeError):
    """The JetStream stream holds what this ledger's outbox did not write (a message from
    elsewhere, or another ledger's events): the relay cannot tell how far it got."""


class Stored(NamedTuple):
    """A message of the JetStream stream: where it is, and the event it carries."""

    position: int  # its JetStream sequence
    batch: int
    batch_end: bool
    event: StreamEvent
    mark: BatchMark | None = None  # None: stored without one (by an older version)


class Tail(NamedTuple):
    """What the JetStream stream ends with, as the publisher needs it."""

    last_position: int  # the stream's last sequence: the next message expects it
    newest: Stored | None  # its newest message, None when it holds none


def headers_of(event: StreamEvent) -> dict[str, str]:
    """The headers that carry an event's stream, seq, type and time."""
    return {
        STREAM_HEADER: event.stream,
        SEQ_HEADER: str(event.seq),
        TYPE_HEADER: event.type,
        TS_HEADER: str(event.ts_ms),
    }


def event_of(headers: Mapping[str, str], data: bytes) -> StreamEvent:
    """The event a message carries (``KeyError`` or ``ValueError`` if it carries none)."""
    return StreamEvent(
        headers[STREAM_HEADER],
        int(headers[SEQ_HEADER]),
        headers[TYPE_HEADER],
        int(headers[TS_HEADER]),
        data.decode(),
    )


def stored_of(headers: Mapping[str, str], data: bytes, position: int) -> Stored:
    """A stored message at JetStream sequence ``position`` (``StreamMismatch`` if it is
    not a Croupier event)."""
    try:
        event = event_of(headers, data)
        batch = int(headers[BATCH_HEADER])
    except (KeyError, ValueError):
        raise StreamMismatch(f"JetStream message {position} is not a Croupier event") from None
    ledger, batch_hash = headers.get(LEDGER_HEADER), headers.get(BATCH_HASH_HEADER)
    mark = BatchMark(ledger, batch_hash) if ledger and batch_hash else None
    return Stored(position, batch, BATCH_END_HEADER in headers, event, mark)
