"""SQLite ledger store: the embedded default (connections and threads: ``sqlite.base``).

sqlite3 releases the GIL while it inserts and fsyncs, so the event loop keeps preparing the
next batch while one commits.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from croupier.adapters.storage.migrations import (
    SchemaNotReady,
    check_schema_version,
    migration_scripts,
)
from croupier.adapters.storage.rows import (
    ACCOUNT_COLUMNS,
    ALL_KINDS,
    EVENT_COLUMNS,
    POSTED_KINDS,
    TRANSFER_COLUMNS,
    SnapshotReads,
    account_from_row,
    account_row,
    event_from_row,
    events_by_stream,
    first_events_streams,
    pending_changes,
    transfer_from_row,
    transfer_row,
)
from croupier.adapters.storage.sqlite.base import SqliteStore
from croupier.domain.errors import WriterLocked
from croupier.domain.ledger import GENESIS_HASH, Account, Balance, BatchRecord, Event, Transfer

__all__ = ["SqliteLedgerStore", "WriterLocked"]

_IN_CHUNK = 500  # ids per IN (...) query, well below SQLite's variable limit


# executemany hands the GIL to the event loop around each row, yet measured faster than one
# INSERT … SELECT from the batch's canonical JSON through json_each (which re-parses each
# row's array for every column): 10–12 against 16–18 µs a transfer, and 11 % more
# settlements/s in the ledger benchmark (docs/benchmarks.md).
_INSERT_TRANSFER = f"INSERT INTO transfers ({TRANSFER_COLUMNS}) VALUES ({', '.join('?' * 12)})"
_UPDATE_BALANCE = (
    "UPDATE accounts SET debits_posted = ?, credits_posted = ?, debits_pending = ?, "
    "credits_pending = ? WHERE id = ?"
)
_INSERT_EVENT = f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
_OPEN_PENDINGS_JSON = "INSERT INTO open_pendings SELECT value FROM json_each(?)"
_CLOSE_PENDINGS_JSON = "DELETE FROM open_pendings WHERE id IN (SELECT value FROM json_each(?))"


class SqliteLedgerStore(SqliteStore):
    thread_prefix = "ledger-sqlite"

    def __init__(self, path: str | Path) -> None:
        super().__init__(path)
        self._lock_fd: int | None = None

    # -- lifecycle -----------------------------------------------------------------------
    async def open(self, *, writer: bool) -> None:
        """As the writer: lock, create if needed, migrate. As a reader: the ledger must
        exist at its current schema (a reader creates and changes nothing)."""
        if writer:
            self._take_writer_lock()
        else:
            self._check_schema()
        await self._open_connections()
        if writer:
            try:
                await self._on_writer(self._migrate)
            except BaseException:
                await self.close()
                raise

    def _check_schema(self) -> None:
        """Through a read-only connection of its own: a mistyped URL naming some other
        SQLite file must not have even its journal mode changed."""
        if not self.path.is_file():
            raise SchemaNotReady(f"no Croupier ledger at {self.path}: check the database URL")
        found = None
        try:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                found = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.DatabaseError:  # no such table, or not a database at all
            pass
        check_schema_version("sqlite", found, str(self.path))

    async def close(self) -> None:
        await super().close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing releases the flock
            self._lock_fd = None

    def _take_writer_lock(self) -> None:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(f"{self.path}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise WriterLocked(f"another process is the ledger writer of {self.path}") from None
        self._lock_fd = fd

    def _migrate(self) -> None:
        conn = self._writer()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, applied_at_ms INTEGER NOT NULL)"
            )
            done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
            for version, sql in migration_scripts("sqlite"):
                if version not in done:
                    for statement in _statements(sql):
                        conn.execute(statement)
                    conn.execute(
                        "INSERT INTO schema_migrations VALUES (?, ?)",
                        (version, time.time_ns() // 1_000_000),
                    )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    # -- writer side -----------------------------------------------------------------------
    async def head(self) -> tuple[int, str]:
        row = await self._read("SELECT seq, hash FROM batches ORDER BY seq DESC LIMIT 1")
        return (row[0][0], row[0][1]) if row else (0, GENESIS_HASH)

    async def load_accounts(self, ids: Collection[str]) -> list[tuple[Account, Balance]]:
        rows = await self._read_in(f"SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id IN", ids)
        return [account_from_row(row) for row in rows]

    async def load_transfers(self, ids: Collection[str]) -> list[Transfer]:
        if len(ids) == 1:
            rows = self._lookup(f"SELECT {TRANSFER_COLUMNS} FROM transfers WHERE id = ?", (*ids,))
            return [transfer_from_row(row) for row in rows]
        rows = await self._read_in(f"SELECT {TRANSFER_COLUMNS} FROM transfers WHERE id IN", ids)
        return [transfer_from_row(row) for row in rows]

    async def load_for_batch(
        self,
        account_ids: Collection[str],
        transfer_ids: Collection[str],
        streams: Collection[str] = (),
    ) -> tuple[list[tuple[Account, Balance]], list[Transfer], dict[str, int]]:
        def run() -> tuple[list[Any], list[Any], list[Any]]:
            conn = self._reader()
            accounts = _select_in(
                conn, f"SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id IN", account_ids
            )
            transfers = _select_in(
                conn, f"SELECT {TRANSFER_COLUMNS} FROM transfers WHERE id IN", transfer_ids
            )
            heads = _select_in(
                conn,
                "SELECT stream, MAX(seq) FROM events WHERE stream IN",
                streams,
                "GROUP BY stream",
            )
            return accounts, transfers, heads

        accounts, transfers, heads = await self._on(self._read_thread, run)
        found = {stream: seq for stream, seq in heads}
        return (
            [account_from_row(r) for r in accounts],
            [transfer_from_row(r) for r in transfers],
            {stream: found.get(stream, 0) for stream in streams},
        )

    async def stream_head(self, stream: str) -> int:
        rows = self._lookup("SELECT MAX(seq) FROM events WHERE stream = ?", (stream,))
        return int(rows[0][0] or 0)

    async def stream_events(
        self, stream: str, *, after_seq: int = 0, limit: int = 1000
    ) -> list[Event]:
        sql = (
            f"SELECT {EVENT_COLUMNS} FROM events WHERE stream = ? AND seq > ? ORDER BY seq LIMIT ?"
        )
        params = (stream, after_seq, limit)
        # A round's few events: look them up here; a long replay: on a reader thread.
        rows = self._lookup(sql, params) if limit <= 16 else await self._read(sql, params)
        return [event_from_row(row) for row in rows]

    async def first_events(
        self, streams: Collection[str], *, limit_per_stream: int
    ) -> dict[str, list[Event]]:
        names = first_events_streams(streams, limit_per_stream)
        if not names:
            return {}
        # Seqs start at 1 without gaps: a stream's first n events are those with seq <= n.
        marks = ", ".join("?" * len(names))
        rows = await self._read(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE stream IN ({marks}) AND seq <= ? "
            "ORDER BY stream, seq",
            (*names, limit_per_stream),
        )
        return events_by_stream(rows)

    async def batch_hashes(self, first: int, last: int) -> dict[int, str]:
        rows = await self._read(
            "SELECT seq, hash FROM batches WHERE seq BETWEEN ? AND ?", (first, last)
        )
        return {seq: hash_ for seq, hash_ in rows}

    async def events_in_batches(self, first: int, last: int) -> list[Event]:
        rows = await self._read(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE batch_seq BETWEEN ? AND ? "
            "ORDER BY global_seq",
            (first, last),
        )
        return [event_from_row(row) for row in rows]

    async def load_open_pendings(self) -> list[Transfer]:
        rows = await self._read(
            f"SELECT {TRANSFER_COLUMNS} FROM transfers WHERE id IN (SELECT id FROM open_pendings)"
        )
        return [transfer_from_row(row) for row in rows]

    async def commit(self, batch: BatchRecord, balances: Mapping[str, Balance]) -> None:
        await self._on_writer(self._commit, batch, balances)

    def _commit(self, batch: BatchRecord, balances: Mapping[str, Balance]) -> None:
        conn = self._writer()
        new_ids = {account.id for account in batch.accounts}
        opened, closed = pending_changes(batch)
        updates = [
            (b.debits_posted, b.credits_posted, b.debits_pending, b.credits_pending, i)
            for i, b in balances.items()
            if i not in new_ids
        ]
        transfers = [transfer_row(t) for t in batch.transfers]
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?)",
                (
                    batch.seq,
                    batch.prev_hash,
                    batch.hash,
                    batch.timestamp_ms,
                    len(batch.accounts),
                    len(batch.transfers),
                ),
            )
            conn.executemany(
                "INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    account_row(a, balances[a.id], batch.seq, i)
                    for i, a in enumerate(batch.accounts)
                ],
            )
            conn.executemany(_INSERT_TRANSFER, transfers)
            conn.executemany(_INSERT_EVENT, batch.events)  # an Event is a row in column order
            conn.execute(_OPEN_PENDINGS_JSON, (json.dumps(opened),))
            conn.execute(_CLOSE_PENDINGS_JSON, (json.dumps(closed),))
            conn.executemany(_UPDATE_BALANCE, updates)
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise

    # -- readers ---------------------------------------------------------------------------
    async def get_account(self, account_id: str) -> tuple[Account, Balance] | None:
        rows = self._lookup(f"SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?", (account_id,))
        return account_from_row(rows[0]) if rows else None

    async def account_transfers(
        self,
        account_id: str,
        *,
        limit: int,
        before_seq: int | None = None,
        posted_only: bool = False,
    ) -> list[tuple[int, Transfer]]:
        before = before_seq if before_seq is not None else 2**63 - 1
        kinds = POSTED_KINDS if posted_only else ALL_KINDS
        marks = ", ".join("?" * len(kinds))
        # Each side newest-first with its own limit, so the house account's millions of rows
        # are never sorted whole.
        rows = await self._read(
            f"SELECT seq, {TRANSFER_COLUMNS} FROM ("
            " SELECT * FROM (SELECT * FROM transfers WHERE debit_account_id = ? AND seq < ?"
            f"  AND kind IN ({marks}) ORDER BY seq DESC LIMIT ?)"
            " UNION ALL"
            " SELECT * FROM (SELECT * FROM transfers WHERE credit_account_id = ? AND seq < ?"
            f"  AND kind IN ({marks}) ORDER BY seq DESC LIMIT ?)"
            ") ORDER BY seq DESC LIMIT ?",
            (account_id, before, *kinds, limit, account_id, before, *kinds, limit, limit),
        )
        return [(row[0], transfer_from_row(row[1:])) for row in rows]

    async def accounts_of_kind(self, kind: str, *, limit: int) -> list[tuple[Account, Balance]]:
        rows = await self._read(
            f"SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE kind = ? ORDER BY id LIMIT ?",
            (kind, limit),
        )
        return [account_from_row(row) for row in rows]

    async def all_accounts(self) -> list[tuple[Account, Balance]]:
        return await SnapshotReads(self._read).all_accounts()

    def batches(self, *, chunk_size: int = 1000) -> AsyncIterator[BatchRecord]:
        return SnapshotReads(self._read).batches(chunk_size=chunk_size)

    @contextlib.asynccontextmanager
    async def snapshot(self) -> AsyncIterator[SnapshotReads]:
        # One read transaction on a connection (and a thread) of its own: in WAL mode, its
        # first read fixes what every later read sees, whatever commits meanwhile.
        thread = ThreadPoolExecutor(1, thread_name_prefix=f"{self.thread_prefix}-snapshot")
        opened: list[sqlite3.Connection] = []  # empty until connected

        async def fetch(sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
            conn = opened[0]
            return await self._on(thread, lambda: conn.execute(sql, params).fetchall())

        try:
            opened.append(await self._on(thread, self._connect))
            await fetch("BEGIN")
            await fetch("SELECT 1 FROM batches LIMIT 1")
            yield SnapshotReads(fetch)
        finally:
            for conn in opened:
                await self._on(thread, conn.close)  # ends the read transaction
            thread.shutdown()

    # -- plumbing --------------------------------------------------------------------------
    async def _read_in(self, sql_prefix: str, ids: Collection[str]) -> list[Any]:
        return await self._on(
            self._read_thread, lambda: _select_in(self._reader(), sql_prefix, ids)
        )


def _select_in(
    conn: sqlite3.Connection, sql_prefix: str, ids: Collection[str], sql_suffix: str = ""
) -> list[Any]:
    """Rows for ``sql_prefix (?, ?, …) sql_suffix`` over ``ids``, in chunks below SQLite's
    variable limit."""
    unique = list(dict.fromkeys(ids))
    rows: list[Any] = []
    for start in range(0, len(unique), _IN_CHUNK):
        chunk = unique[start : start + _IN_CHUNK]
        marks = ", ".join("?" * len(chunk))
        rows += conn.execute(f"{sql_prefix} ({marks}) {sql_suffix}", chunk).fetchall()
    return rows


def _statements(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (BEGIN … END;) whole."""
    statements, current = [], ""
    for line in sql.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]
