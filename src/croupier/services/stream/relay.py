"""The outbox relay: every committed event, published to the ``EventStream`` in commit order.

It is told of each commit by the handler table (``services/handlers.py``: a batch handler,
so it sees every batch whole, in commit order) and publishes from memory; it never loses an
event whatever crashes, because the outbox is the truth: after a restart it asks the stream
how far it got (``relayed_through``) and republishes from the outbox from there; when it
falls behind (the stream is down, its queue is full) it drops its in-memory queue and catches
up from the outbox the same way. Delivery is at least once; subscribers de-duplicate by seq.
Each batch goes out with its mark (the ledger's identity and the batch's chain hash), and a
relay refuses to resume a stream its ledger did not write (``ownership.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Mapping
from itertools import islice

from croupier.domain.ledger import Balance, BatchRecord
from croupier.services.ledger.ports import OutboxReader
from croupier.services.stream.ownership import check_owner, ledger_identity
from croupier.services.stream.ports import BatchMark, EventStream, StreamEvent

__all__ = ["OutboxRelay"]

_log = logging.getLogger("croupier.relay")

Published = list[tuple[int, StreamEvent]]
Queued = tuple[int, str, Published]  # a batch's seq, its chain hash, its events


class OutboxRelay:
    def __init__(
        self,
        outbox: OutboxReader,
        stream: EventStream,
        *,
        queued_batches_max: int = 10_000,
        catch_up_batches: int = 200,
        batches_per_publish: int = 64,
        retry_s: float = 0.5,
    ) -> None:
        self.outbox = outbox
        self.stream = stream
        self.queued_batches_max = queued_batches_max
        self.catch_up_batches = catch_up_batches
        self.batches_per_publish = batches_per_publish
        self.retry_s = retry_s
        self._queue: deque[Queued] = deque()
        self._ledger: str | None = None  # the ledger's identity, once it has a first batch
        self._wake = asyncio.Event()
        self._through = 0  # the last batch published
        self._behind = False  # the queue was dropped: read the outbox up to its head
        self._task: asyncio.Task[None] | None = None

    def on_commit(self, record: BatchRecord, _balances: Mapping[str, Balance]) -> None:
        """A batch handler (and a writer's commit listener): queue the batch's events, never
        block."""
        if not record.events:
            return
        if len(self._queue) >= self.queued_batches_max:
            self._queue.clear()  # bounded memory: the outbox still has them all
            self._behind = True
        else:
            events = [(record.seq, StreamEvent.of(e)) for e in record.events]
            self._queue.append((record.seq, record.hash, events))
        self._wake.set()

    async def start(self) -> None:
        """Register as a batch handler *before* this, so no commit falls between the two.
        Raises ``StreamLedgerMismatch`` if the stream holds what this ledger did not write."""
        through = await self.stream.relayed_through()
        if through is None:  # the stream reads the outbox itself: live from here on
            self._through, _ = await self.outbox.head()
        else:
            await check_owner(self.outbox, await self.stream.newest())
            self._through, self._behind = through, True
        self._ledger = await ledger_identity(self.outbox)
        self._task = asyncio.get_running_loop().create_task(self._run(), name="outbox-relay")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            if self._behind:
                if not await self._catch_up():
                    continue
            elif not self._queue:
                self._wake.clear()
                await self._wake.wait()
                continue
            else:
                while self._queue and self._queue[0][0] <= self._through:
                    self._queue.popleft()  # caught up past it from the outbox already
                # Whole batches, several per call: one round trip for what piled up meanwhile.
                taken = list(islice(self._queue, self.batches_per_publish))
                if taken and await self._publish(
                    [e for _, _, batch in taken for e in batch],
                    {seq: batch_hash for seq, batch_hash, _ in taken},
                ):
                    for _ in taken:
                        self._queue.popleft()

    async def _catch_up(self) -> bool:
        """Publish one window of batches from the outbox; False after a failure (retry)."""
        through = self._through
        try:
            head, _ = await self.outbox.head()
            if through >= head:
                self._behind = False
                return True
            last = min(head, through + self.catch_up_batches)
            events = await self.outbox.events_in_batches(through + 1, last)
            hashes = await self.outbox.batch_hashes(through + 1, last) if events else {}
        except Exception:  # a passing database error must not end the relay for good
            _log.warning("reading the outbox failed; retrying", exc_info=True)
            await asyncio.sleep(self.retry_s)
            return False
        if events and not await self._publish(
            [(e.batch_seq, StreamEvent.of(e)) for e in events], hashes
        ):
            return False
        self._through = last
        return True

    async def _publish(self, published: Published, hashes: Mapping[int, str]) -> bool:
        try:
            if self._ledger is None:  # the ledger was empty at start: its first batch names it
                self._ledger = hashes.get(1) or await ledger_identity(self.outbox)
            if self._ledger is None:  # unreachable: a published batch is a committed one
                raise RuntimeError("the ledger has events but no first batch")
            ledger = self._ledger
            marks = {seq: BatchMark(ledger, batch_hash) for seq, batch_hash in hashes.items()}
            await self.stream.publish(published, marks)
        except Exception:
            _log.warning("publishing %d events failed; retrying", len(published), exc_info=True)
            await asyncio.sleep(self.retry_s)
            return False
        self._through = max(self._through, published[-1][0])
        return True
