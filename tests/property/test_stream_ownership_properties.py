"""One stream, one ledger, as properties of ``check_owner`` over real hash chains (sealed
``BatchRecord`` histories behind a small fake of our own ``OutboxReader`` port):

- the newest event of any batch a ledger holds, marked or not, is accepted by that ledger;
- another ledger's is refused, wherever the two histories stand;
- a ledger restored to before the stream's newest batch refuses it, and still does after
  writing other batches past it.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from croupier.domain.errors import StreamLedgerMismatch
from croupier.domain.ledger import BatchRecord, Event
from croupier.domain.ledger.chain import GENESIS_HASH
from croupier.services.stream import BatchMark, StreamEvent, StreamTail
from croupier.services.stream.ownership import check_owner

History = list[BatchRecord]


def history(shape: list[int], tag: str, start: History | None = None) -> History:
    """Batches with ``shape[i]`` events each (on two streams), sealed into one chain;
    ``start``: the batches it goes on from (a restored ledger writing again)."""
    records = list(start or [])
    seqs: dict[str, int] = {}
    for record in records:
        for event in record.events:
            seqs[event.stream] = event.seq
    for count in shape:
        batch = len(records) + 1
        events = []
        for n in range(count):
            stream = f"player:p{n % 2}"
            seqs[stream] = seqs.get(stream, 0) + 1
            data = json.dumps({"tag": tag, "batch": batch, "n": n})
            events.append(Event(stream, seqs[stream], "test.event", data, 1000 * batch, batch))
        prev = records[-1].hash if records else GENESIS_HASH
        records.append(BatchRecord.seal(batch, prev, 1000 * batch, (), (), events))
    return records


class FakeOutbox:
    def __init__(self, records: History) -> None:
        self.records = records

    async def head(self) -> tuple[int, str]:
        return (len(self.records), self.records[-1].hash) if self.records else (0, GENESIS_HASH)

    async def batch_hashes(self, first: int, last: int) -> dict[int, str]:
        return {r.seq: r.hash for r in self.records if first <= r.seq <= last}

    async def events_in_batches(self, first: int, last: int) -> list[Event]:
        return [e for r in self.records if first <= r.seq <= last for e in r.events]


def tail_of(records: History, batch: int, *, marked: bool) -> StreamTail:
    """What a stream that got as far as ``batch`` of ``records`` ends with."""
    record = records[batch - 1]
    mark = BatchMark(records[0].hash, record.hash) if marked else None
    return StreamTail(StreamEvent.of(record.events[-1]), batch, mark)


def owned(records: History, tail: StreamTail) -> bool:
    try:
        asyncio.run(check_owner(FakeOutbox(records), tail))
    except StreamLedgerMismatch:
        return False
    return True


shapes = st.lists(st.integers(1, 3), min_size=1, max_size=8)


@given(shapes, st.data(), st.booleans())
def test_a_ledger_owns_every_batch_it_holds(
    shape: list[int], data: st.DataObject, marked: bool
) -> None:
    records = history(shape, "one")
    batch = data.draw(st.integers(1, len(records)))
    assert owned(records, tail_of(records, batch, marked=marked))


@given(shapes, shapes, st.data(), st.booleans())
def test_another_ledgers_stream_is_refused(
    first: list[int], second: list[int], data: st.DataObject, marked: bool
) -> None:
    earlier, later = history(first, "earlier"), history(second, "later")
    batch = data.draw(st.integers(1, len(earlier)))
    assert not owned(later, tail_of(earlier, batch, marked=marked))
    assert not owned([], tail_of(earlier, batch, marked=marked))  # a ledger still empty


@given(shapes, st.data(), shapes, st.booleans())
def test_a_ledger_restored_to_before_the_streams_end_refuses_it(
    shape: list[int], data: st.DataObject, written_after: list[int], marked: bool
) -> None:
    records = history(shape, "live")
    if len(records) < 2:
        records = history([*shape, 1], "live")
    batch = data.draw(st.integers(2, len(records)))  # the stream got this far
    kept = data.draw(st.integers(1, batch - 1))  # the backup that far
    restored = records[:kept]
    assert not owned(restored, tail_of(records, batch, marked=marked))
    rewritten = history(written_after, "after the restore", start=restored)
    if len(rewritten) >= batch:
        assert not owned(rewritten, tail_of(records, batch, marked=marked))


def test_the_fake_is_a_real_chain() -> None:
    records = history([2, 1, 3], "one")
    assert [r.prev_hash for r in records[1:]] == [r.hash for r in records[:-1]]
    with pytest.raises(StreamLedgerMismatch):
        asyncio.run(check_owner(FakeOutbox(records[:1]), tail_of(records, 3, marked=True)))
