"""The ledger writer: one per database, group-committing every waiting request.

Callers ``submit`` a linked group and await its answer. The writer drains its bounded queue
into a batch, applies the batch's groups to in-memory state (each group all-or-nothing),
commits the whole batch in one durable transaction, and only then answers every caller.
While one batch commits on the storage thread, the next is prepared on the event loop.

If a commit fails, the in-memory state is ahead of the database: the writer fails every
waiting caller and stops for good. A new writer reloads from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from croupier.domain.errors import Busy, CroupierError, LedgerUnavailable
from croupier.domain.ledger import (
    Applied,
    Balance,
    BatchBuilder,
    BatchRecord,
    Command,
    LedgerState,
    Transfer,
    TransferRequest,
)
from croupier.domain.ledger.state import accounts_named, streams_named
from croupier.services.ledger.ports import LedgerStore

__all__ = ["CommitListener", "LedgerUnavailable", "LedgerWriter", "WriterLimits", "WriterStats"]

#: Told of every committed batch and the final balances it wrote, in commit order, on the
#: event loop; it must be quick (it runs before the batch's callers are answered).
CommitListener = Callable[[BatchRecord, Mapping[str, Balance]], None]

_log = logging.getLogger("croupier.ledger")


@dataclass(frozen=True, slots=True)
class WriterLimits:
    queue_requests_max: int = 50_000
    batch_commands_max: int = 10_000
    batch_wait_ms: float = 0.0
    accounts_cached_max: int = 500_000
    transfers_cached_max: int = 200_000
    streams_cached_max: int = 200_000

    def __post_init__(self) -> None:
        if (
            min(self.queue_requests_max, self.batch_commands_max, self.streams_cached_max) < 1
            or self.batch_wait_ms < 0
        ):
            raise ValueError("writer limits must be positive")
        if self.transfers_cached_max < 4 * self.batch_commands_max:
            # a cache smaller than a few batches would send most replay checks to storage
            raise ValueError("transfers_cached_max must be at least 4 × batch_commands_max")


@dataclass(slots=True)
class WriterStats:
    batches: int = 0
    transfers: int = 0
    last_batch_size: int = 0
    last_commit_s: float = 0.0
    commit_seconds_total: float = 0.0


@dataclass(slots=True)
class _Waiting:
    commands: Sequence[Command]
    future: asyncio.Future[Applied]
    outcome: Applied | CroupierError | None = None


@dataclass(slots=True)
class _Prepared:
    record: BatchRecord | None
    balances: dict[str, Balance]
    waiting: list[_Waiting] = field(default_factory=list)


class LedgerWriter:
    def __init__(
        self,
        store: LedgerStore,
        *,
        clock_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
        limits: WriterLimits | None = None,
    ) -> None:
        self.store = store
        self.clock_ms = clock_ms
        self.limits = limits or WriterLimits()
        self.state = LedgerState()
        self.stats = WriterStats()
        # A plain deque and an event: a bounded queue without asyncio.Queue's per-item cost.
        self._queue: deque[_Waiting] = deque()
        self._has_work = asyncio.Event()
        self._known: OrderedDict[str, Transfer] = OrderedDict()
        self._seq = 0
        self._hash = ""
        self._timestamp_ms = 0
        self._task: asyncio.Task[None] | None = None
        self._failure: BaseException | None = None
        self._stopping = False
        self._listeners: list[CommitListener] = []

    def on_commit(self, listener: CommitListener) -> None:
        """Call ``listener`` after every durable commit (the outbox relay, the ticker)."""
        self._listeners.append(listener)

    @property
    def alive(self) -> bool:
        return self._task is not None and not self._task.done() and self._failure is None

    async def start(self) -> None:
        self._seq, self._hash = await self.store.head()
        pendings = await self.store.load_open_pendings()
        accounts = {t.debit_account_id for t in pendings} | {t.credit_account_id for t in pendings}
        for account, balance in await self.store.load_accounts(accounts):
            self.state.load_account(account, balance)
        for pending in pendings:
            self.state.load_pending(pending)
        self._loop = asyncio.get_running_loop()
        self._task = self._loop.create_task(self._run(), name="ledger-writer")

    async def stop(self) -> None:
        """Finish what is queued, then stop."""
        self._stopping = True
        if self._task is not None:
            self._has_work.set()
            with contextlib.suppress(Exception):
                await self._task

    async def submit(self, commands: Sequence[Command]) -> Applied:
        """Apply one linked group durably; raise its refusal (a ``CroupierError``) otherwise."""
        if self._failure is not None or self._stopping or not self.alive:
            raise LedgerUnavailable("the ledger writer is not running")
        if len(self._queue) >= self.limits.queue_requests_max:
            raise Busy("the ledger is busy: its queue is full, retry shortly")
        waiting = _Waiting(commands, self._loop.create_future())
        self._queue.append(waiting)
        self._has_work.set()
        return await waiting.future

    # -- the loop ----------------------------------------------------------------------------
    async def _run(self) -> None:
        in_flight: asyncio.Task[None] | None = None  # the commit of the previous batch
        unanswered: list[_Waiting] = []  # everyone to fail if the loop dies
        try:
            while True:
                waiting = await self._collect()
                unanswered = waiting
                if self._failure is not None and in_flight is not None:
                    await in_flight  # it failed: raise before applying anything more
                if self._stopping and not waiting and not self._queue:
                    break
                prepared = await self._prepare(waiting)
                if in_flight is not None:
                    await in_flight  # commits stay in order; a failure stops the writer
                self._evict(prepared)
                if prepared.record is None:
                    _answer(prepared.waiting)
                    in_flight = None
                else:
                    in_flight = asyncio.create_task(self._commit(prepared))
                    in_flight.add_done_callback(self._on_commit_done)
            if in_flight is not None:
                await in_flight
        except BaseException as error:
            self._failure = error
            for item in unanswered:
                _fail(item, error)
            while self._queue:
                _fail(self._queue.popleft(), error)
            if not isinstance(error, asyncio.CancelledError):
                _log.critical("the ledger writer stopped", exc_info=error)
                raise

    def _on_commit_done(self, commit: asyncio.Task[None]) -> None:
        """A failed commit stops the writer at once, not when the next batch comes: until
        then it would look alive and show balances that were never committed."""
        if not commit.cancelled() and commit.exception() is not None:
            self._failure = commit.exception()
            self._has_work.set()  # wake the loop, which fails everyone waiting and stops

    async def _collect(self) -> list[_Waiting]:
        """Wait for work (or the next pending timeout), then drain up to the batch bound."""
        timeout = None
        next_expiry = self.state.next_expiry_ms()
        if next_expiry is not None:
            timeout = max(0.0, (next_expiry - self.clock_ms()) / 1000)
        if not self._queue and not self._stopping:
            self._has_work.clear()
            try:
                await asyncio.wait_for(self._has_work.wait(), timeout)
            except TimeoutError:
                return []
        if self.limits.batch_wait_ms and len(self._queue) < self.limits.batch_commands_max:
            await asyncio.sleep(self.limits.batch_wait_ms / 1000)  # linger for a fuller batch
        batch: list[_Waiting] = []
        commands = 0
        queue = self._queue
        while queue and commands < self.limits.batch_commands_max:
            item = queue.popleft()
            batch.append(item)
            commands += len(item.commands)
        return batch

    async def _prepare(self, waiting: list[_Waiting]) -> _Prepared:
        now_ms = max(self.clock_ms(), self._timestamp_ms)
        await self._prefetch(waiting, now_ms)
        builder = BatchBuilder(self.state, self._seq + 1, now_ms)
        self._remember(builder.expire_due())
        for item in waiting:
            try:
                item.outcome = builder.apply(item.commands, self._known)
            except CroupierError as refusal:
                item.outcome = refusal
            else:
                self._remember(t for t in item.outcome.results if isinstance(t, Transfer))
        if not builder.accounts and not builder.transfers and not builder.events:
            return _Prepared(None, {}, waiting)
        record = BatchRecord.seal(
            builder.batch_seq,
            self._hash,
            now_ms,
            builder.accounts,
            builder.transfers,
            builder.events,
        )
        self._seq, self._hash, self._timestamp_ms = record.seq, record.hash, now_ms
        # Copies: the next batch changes the live balances while this one commits.
        balances = {
            account_id: self.state.balances[account_id].copy() for account_id in builder.touched
        }
        return _Prepared(record, balances, waiting)

    async def _prefetch(self, waiting: list[_Waiting], now_ms: int) -> None:
        """Load the accounts and the transfer ids this batch needs that memory lacks."""
        accounts: set[str] = set()
        transfer_ids: set[str] = set()
        streams: set[str] = set()
        state = self.state
        for pending in _due_pendings(state, now_ms):
            accounts.update((pending.debit_account_id, pending.credit_account_id))
        for item in waiting:
            accounts |= accounts_named(item.commands, state)
            streams |= streams_named(item.commands)
            for command in item.commands:
                if isinstance(command, TransferRequest):
                    transfer_ids.add(command.id)
                    if command.pending_id:  # resolved already? then it is refused as such
                        transfer_ids.add(command.pending_id)
        # Comprehensions, not ``set - dict.keys()``: that copies every cached key per batch.
        missing_accounts = {a for a in accounts if a not in state.accounts}
        known = self._known
        missing_transfers = {t for t in transfer_ids if t not in known}
        missing_streams = {s for s in streams if s not in state.stream_heads}
        if not missing_accounts and not missing_transfers and not missing_streams:
            return
        loaded_accounts, loaded_transfers, heads = await self.store.load_for_batch(
            missing_accounts, missing_transfers, missing_streams
        )
        for stream, head in heads.items():
            state.stream_heads.setdefault(stream, head)
        for account, balance in loaded_accounts:
            if account.id not in state.accounts:
                state.load_account(account, balance)
        self._remember(loaded_transfers)

    async def _commit(self, prepared: _Prepared) -> None:
        """Commit durably, then answer the batch's callers at once."""
        assert prepared.record is not None
        started = time.perf_counter()
        try:
            await self.store.commit(prepared.record, prepared.balances)
        except BaseException as error:
            for item in prepared.waiting:
                _fail(item, error)
            raise
        elapsed = time.perf_counter() - started
        stats = self.stats
        stats.batches += 1
        stats.transfers += len(prepared.record.transfers)
        stats.last_batch_size = len(prepared.waiting)
        stats.last_commit_s = elapsed
        stats.commit_seconds_total += elapsed
        for listener in self._listeners:
            try:
                listener(prepared.record, prepared.balances)
            except Exception:  # a listener's bug must not stop the money
                _log.exception("a commit listener failed")
        _answer(prepared.waiting)

    def _remember(self, transfers: Iterable[Transfer]) -> None:
        """Cache transfers by id: replays are recognised here, so nothing is dropped until
        it has committed (``_evict``)."""
        known = self._known
        for transfer in transfers:
            known[transfer.id] = transfer
            known.move_to_end(transfer.id)

    def _evict(self, prepared: _Prepared) -> None:
        """Keep the caches bounded; never drop a transfer, an account or a stream head with
        uncommitted changes (only ``prepared`` is uncommitted here: the batch before it has
        committed)."""
        self._evict_transfers(prepared)
        self._evict_stream_heads(prepared)
        accounts = self.state.accounts
        excess = len(accounts) - self.limits.accounts_cached_max
        if excess <= 0:
            return
        keep = set(prepared.balances)
        for pending in self.state.open_pendings.values():
            keep.update((pending.debit_account_id, pending.credit_account_id))
        for account_id in keep & accounts.keys():  # recently used: move to the young end
            accounts[account_id] = accounts.pop(account_id)
        for account_id in list(islice((a for a in accounts if a not in keep), excess)):
            self.state.forget_account(account_id)

    def _evict_transfers(self, prepared: _Prepared) -> None:
        _trim_oldest(
            self._known,
            self.limits.transfers_cached_max,
            lambda: {t.id for t in prepared.record.transfers} if prepared.record else set(),
        )

    def _evict_stream_heads(self, prepared: _Prepared) -> None:
        # Every round opens a stream of its own: without a bound the heads would grow with
        # every round ever played. A dropped head is read again from storage when needed.
        _trim_oldest(
            self.state.stream_heads,
            self.limits.streams_cached_max,
            lambda: {e.stream for e in prepared.record.events} if prepared.record else set(),
        )


def _trim_oldest(cache: dict[str, Any], limit: int, keep: Callable[[], set[str]]) -> None:
    """Drop the oldest entries beyond ``limit``, never one in ``keep()`` (asked only when
    the cache is over its limit: building it costs a set per batch)."""
    excess = len(cache) - limit
    if excess > 0:
        kept = keep()
        for key in list(islice((k for k in cache if k not in kept), excess)):
            del cache[key]


def _due_pendings(state: LedgerState, now_ms: int) -> list[Transfer]:
    next_due_ms = state.next_expiry_ms()
    if next_due_ms is None or next_due_ms > now_ms:
        return []
    return [
        pending
        for pending in state.open_pendings.values()
        if pending.expires_at_ms is not None and pending.expires_at_ms <= now_ms
    ]


def _answer(waiting: list[_Waiting]) -> None:
    for item in waiting:
        if item.future.done():  # the caller was cancelled; the work is done regardless
            continue
        if isinstance(item.outcome, CroupierError):
            item.future.set_exception(item.outcome)
        elif item.outcome is not None:
            item.future.set_result(item.outcome)


def _fail(item: _Waiting, error: BaseException) -> None:
    # The cause is the writer's log line; callers (and players, through the API) are told no
    # more than that the ledger stopped: a database error's text names tables and paths.
    if not item.future.done():
        item.future.set_exception(LedgerUnavailable("the ledger writer stopped"))
