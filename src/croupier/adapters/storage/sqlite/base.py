"""What every SQLite store shares: one writing connection on its own thread, and a few
reading connections, one per reader thread.

sqlite3 blocks, so connections live on dedicated threads: writes never queue behind reads,
and sqlite3 releases the GIL while it works, so the event loop keeps going meanwhile. WAL
lets readers run in parallel with each other and with the writer; several reader threads
keep a busy server's reads (balances, recall, idempotency checks) from queueing in a line.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["SqliteStore"]

T = TypeVar("T")

# Measured on the ledger's insert load: a 128 MiB page cache keeps the id and account indexes
# in memory, and checkpointing every 10,000 pages rather than 1,000 takes about a third off
# each commit (docs/benchmarks.md).
_CACHE_KIB = 128 * 1024
_CHECKPOINT_PAGES = 10_000
#: Reader threads (and connections) per store.
_READERS = 4
#: One gate per database file for every writing connection in this process. SQLite allows
#: one writer at a time; a writer that finds the file locked sleeps in its busy handler
#: (1, 2, 5, 10 … ms), while one waiting on this lock starts the moment the other finishes.
_WRITE_GATES: dict[Path, threading.Lock] = {}
_WRITE_GATES_LOCK = threading.Lock()


def _write_gate(path: Path) -> threading.Lock:
    with _WRITE_GATES_LOCK:
        return _WRITE_GATES.setdefault(path.resolve(), threading.Lock())


class SqliteStore:
    """Base of the SQLite adapters. WAL mode, ``synchronous=FULL``: a commit is durable."""

    thread_prefix = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._write_conn: sqlite3.Connection | None = None
        self._loop_conn: sqlite3.Connection | None = None  # point lookups on the event loop
        self._read_conns: list[sqlite3.Connection] = []  # one per reader thread, made lazily
        self._reader_local = threading.local()
        self._reader_lock = threading.Lock()
        self._open = False
        self._gate = _write_gate(self.path)
        self._write_thread = ThreadPoolExecutor(1, thread_name_prefix=f"{self.thread_prefix}-write")
        self._read_thread = ThreadPoolExecutor(
            _READERS, thread_name_prefix=f"{self.thread_prefix}-read"
        )

    async def _open_connections(self) -> None:
        self._write_conn = await self._on(self._write_thread, self._connect)
        self._open = True
        await self._on(self._read_thread, self._reader)
        self._loop_conn = self._connect()
        # A lookup never waits long for a lock: WAL readers are blocked only in rare moments
        # (another connection recovering the WAL), and this one blocks the event loop.
        self._loop_conn.execute("PRAGMA busy_timeout=200")

    async def _require_table(self, table: str) -> None:
        """Stores other than the ledger's rely on the ledger store having migrated the file."""
        if not await self._read("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)):
            await self.close()
            raise RuntimeError(f"no {table} table in {self.path}: open the ledger store first")

    async def close(self) -> None:
        self._open = False
        if self._write_conn is not None:
            await self._on(self._write_thread, self._write_conn.close)
        self._write_thread.shutdown(wait=True)
        self._read_thread.shutdown(wait=True)  # no read runs after this: close them here
        for conn in self._read_conns:
            conn.close()
        if self._loop_conn is not None:
            self._loop_conn.close()
        self._write_conn, self._loop_conn, self._read_conns = None, None, []

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # It will hold unrevealed server seeds and password hashes: owner-only. SQLite
            # gives its -wal and -shm files the database file's mode.
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
        conn.execute(f"PRAGMA wal_autocheckpoint={_CHECKPOINT_PAGES}")
        return conn

    def _writer(self) -> sqlite3.Connection:
        if self._write_conn is None:
            raise RuntimeError("the store is not open")
        return self._write_conn

    def _reader(self) -> sqlite3.Connection:
        """The calling reader thread's connection (call it on a reader thread)."""
        conn: sqlite3.Connection | None = getattr(self._reader_local, "conn", None)
        if conn is None:
            if not self._open:
                raise RuntimeError("the store is not open")
            conn = self._connect()
            self._reader_local.conn = conn
            with self._reader_lock:
                self._read_conns.append(conn)
        return conn

    async def _on(self, thread: ThreadPoolExecutor, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(thread, fn, *args)

    async def _on_writer(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a write on the writer's thread, through the file's write gate."""

        def gated() -> T:
            with self._gate:
                return fn(*args)

        return await self._on(self._write_thread, gated)

    async def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        return await self._on(
            self._read_thread, lambda: self._reader().execute(sql, params).fetchall()
        )

    def _loop_connection(self) -> sqlite3.Connection:
        if self._loop_conn is None:
            raise RuntimeError("the store is not open")
        return self._loop_conn

    def _lookup(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """A point lookup by key, run right here on the event loop.

        Measured: handing a read to a thread costs the loop more (a future, a queue, a
        wake-up: tens of µs) than an indexed SQLite lookup in a warm cache takes to run. Only
        for queries that read a handful of rows through an index."""
        return self._loop_connection().execute(sql, params).fetchall()

    async def _write(self, sql: str, params: tuple[Any, ...]) -> None:
        """One autocommitted statement on the writer's connection."""
        await self._on_writer(lambda: self._writer().execute(sql, params))
