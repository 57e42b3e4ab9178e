"""The ledger's ports: its storage (``LedgerStore``: what the writer and the readers need
from a database) and the door every other service uses (``LedgerClient``).

Services never touch the store: they speak to a :class:`LedgerClient`, which today is the
in-process :class:`~croupier.services.ledger.service.Ledger` and may be a remote one (the
writer in another process) without a service noticing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Final, Protocol

from croupier.domain.ledger import (
    Account,
    AccountKind,
    Applied,
    Balance,
    BatchRecord,
    Command,
    Event,
    Transfer,
)

__all__ = [
    "FIRST_EVENTS_PER_STREAM_MAX",
    "FIRST_EVENTS_STREAMS_MAX",
    "LedgerClient",
    "LedgerSnapshot",
    "LedgerStore",
    "OutboxReader",
    "StreamReader",
]

#: Bounds of one ``first_events`` read: streams, and events of each.
FIRST_EVENTS_STREAMS_MAX: Final = 1000
FIRST_EVENTS_PER_STREAM_MAX: Final = 1000


class LedgerSnapshot(Protocol):
    """What verification reads, all of it as of one committed state."""

    def batches(self, *, chunk_size: int = 1000) -> AsyncIterator[BatchRecord]: ...

    async def all_accounts(self) -> list[tuple[Account, Balance]]: ...

    async def open_pending_ids(self) -> list[str]: ...


class LedgerStore(Protocol):
    """A durable home for the ledger. One writer per database; any number of readers."""

    async def open(self, *, writer: bool) -> None:
        """Connect and apply migrations; as the writer, take the database's writer lock."""

    async def close(self) -> None: ...

    # -- for the writer ------------------------------------------------------------------
    async def head(self) -> tuple[int, str]:
        """The last committed batch's (seq, hash); ``(0, GENESIS_HASH)`` when empty."""
        ...

    async def load_accounts(self, ids: Collection[str]) -> list[tuple[Account, Balance]]: ...

    async def load_transfers(self, ids: Collection[str]) -> list[Transfer]: ...

    async def load_for_batch(
        self,
        account_ids: Collection[str],
        transfer_ids: Collection[str],
        streams: Collection[str] = (),
    ) -> tuple[list[tuple[Account, Balance]], list[Transfer], dict[str, int]]:
        """What a batch needs, in one round trip: accounts, transfers that exist, and the last
        seq of each event stream (0 for a stream with no events yet)."""
        ...

    async def load_open_pendings(self) -> list[Transfer]: ...

    async def commit(self, batch: BatchRecord, balances: Mapping[str, Balance]) -> None:
        """Write one batch and the final balances of the accounts it touched, durably, at once."""

    # -- for readers (committed data only) -------------------------------------------------
    async def get_account(self, account_id: str) -> tuple[Account, Balance] | None: ...

    async def account_transfers(
        self,
        account_id: str,
        *,
        limit: int,
        before_seq: int | None = None,
        posted_only: bool = False,
    ) -> list[tuple[int, Transfer]]:
        """Newest first: ``(seq, transfer)`` pairs of the account, older than ``before_seq``;
        with ``posted_only``, only transfers that moved money for good (single and post)."""
        ...

    async def stream_head(self, stream: str) -> int:
        """The last committed seq of a stream (0 when it has no events)."""
        ...

    async def stream_events(
        self, stream: str, *, after_seq: int = 0, limit: int = 1000
    ) -> list[Event]:
        """A stream's committed events with seq > ``after_seq``, in order."""
        ...

    async def first_events(
        self, streams: Collection[str], *, limit_per_stream: int
    ) -> dict[str, list[Event]]:
        """The first ``limit_per_stream`` committed events of each stream, in one read: by
        stream, in seq order; a stream with no events is left out. At most
        :data:`FIRST_EVENTS_STREAMS_MAX` streams and :data:`FIRST_EVENTS_PER_STREAM_MAX`
        events each (``ValueError`` beyond)."""
        ...

    async def events_in_batches(self, first: int, last: int) -> list[Event]:
        """Every event committed by batches ``first`` to ``last``, in commit order."""
        ...

    async def batch_hashes(self, first: int, last: int) -> dict[int, str]:
        """The chain hash of each committed batch from ``first`` to ``last``, by seq (the
        hash of batch 1 is the ledger's identity: see ``services/stream/ports.py``)."""
        ...

    async def accounts_of_kind(self, kind: str, *, limit: int) -> list[tuple[Account, Balance]]:
        """Accounts of one kind (e.g. every jackpot pool), by id, at most ``limit``."""
        ...

    async def all_accounts(self) -> list[tuple[Account, Balance]]: ...

    def batches(self, *, chunk_size: int = 1000) -> AsyncIterator[BatchRecord]:
        """Every committed batch with its content, in order."""
        ...

    def snapshot(self) -> AbstractAsyncContextManager[LedgerSnapshot]:
        """Reads that see one committed state however long they take (one read
        transaction), so a live ledger can be verified while its writer commits."""
        ...


class StreamReader(Protocol):
    """Reading event streams: what the embedded event stream replays from."""

    async def stream_head(self, stream: str) -> int:
        """The last committed seq of a stream (0 when it has no events)."""
        ...

    async def stream_events(
        self, stream: str, *, after_seq: int = 0, limit: int = 1000
    ) -> list[Event]:
        """A stream's committed events with seq > ``after_seq``, in order."""
        ...


class OutboxReader(Protocol):
    """Reading the outbox in commit order: what the relay catches up from."""

    async def head(self) -> tuple[int, str]:
        """The last committed batch's (seq, hash)."""
        ...

    async def events_in_batches(self, first: int, last: int) -> list[Event]:
        """Every event committed by batches ``first`` to ``last``, in commit order."""
        ...

    async def batch_hashes(self, first: int, last: int) -> dict[int, str]:
        """The chain hash of each committed batch from ``first`` to ``last``, by seq (the
        hash of batch 1 is the ledger's identity: see ``services/stream/ports.py``)."""
        ...


class LedgerClient(StreamReader, OutboxReader, Protocol):
    """The ledger as services use it: linked groups in, committed state out."""

    async def submit(self, commands: Sequence[Command]) -> Applied:
        """Apply one linked group, all or nothing, durably; the answer of a replay is the
        first one's (``Applied.replayed``)."""
        ...

    async def open_account(
        self, account_id: str, kind: AccountKind, currency: str, *, floor_minor: int | None = 0
    ) -> Account: ...

    async def balance(self, account_id: str) -> tuple[Account, Balance]:
        """A committed account and its balance (``AccountNotFound`` if none)."""
        ...

    async def latest_balance(self, account_id: str) -> Balance:
        """The balance as the writer holds it (committed, or committing now): for display."""
        ...

    async def open_pendings(self) -> list[Transfer]:
        """Every reservation not yet posted or voided."""
        ...

    async def open_pendings_debiting(self, account_id: str) -> list[Transfer]:
        """The reservations on ``account_id`` not yet posted or voided."""
        ...

    async def transfer_by_id(self, transfer_id: str) -> Transfer | None: ...

    async def history(
        self,
        account_id: str,
        *,
        limit: int = 50,
        before_seq: int | None = None,
        posted_only: bool = False,
    ) -> list[tuple[int, Transfer]]: ...

    async def accounts_of_kind(self, kind: str, *, limit: int) -> list[tuple[Account, Balance]]:
        """Accounts of one kind (e.g. every jackpot pool), by id, at most ``limit``."""
        ...

    async def first_events(
        self, streams: Collection[str], *, limit_per_stream: int
    ) -> dict[str, list[Event]]:
        """The first events of many streams in one read (see ``LedgerStore.first_events``)."""
        ...
