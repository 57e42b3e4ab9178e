"""The writer lease: which ``croupier writer`` process may commit to a PostgreSQL ledger.

One row, ``writer_lease``: an ``epoch`` that grows by one at every take-over, the
``holder`` and an ``expires_at`` the active writer keeps pushing forward. Every time is the
database's own clock (``clock_timestamp()``), so writers on machines whose clocks disagree
still agree on when a lease has run out.

Why a lease and not only the session advisory lock ``croupier serve`` takes: an advisory
lock is released when its session ends, and a writer that hangs (a stopped process, a
paused VM, a network partition that keeps the TCP session open) never ends it; a standby
would wait forever. A lease runs out on its own.

Why an epoch as well: a writer that hung and wakes up does not know that it lost the lease.
Its store checks the epoch *inside* every commit transaction (see
``PostgresLedgerStore.commit``), holding the lease row ``FOR SHARE`` until the commit ends,
so a take-over (an ``UPDATE`` of that row) either waits for that commit to finish (and the
new writer reads it) or makes the old writer's commit match no row: it is refused and
rolls back, and the old writer stops.

A take-over also ends every database session of the previous holder (its connections carry
``application_name = croupier-writer/<holder>``): a writer stopped in the middle of a commit
would otherwise hold the row lock, and its advisory lock, for as long as its session lives.
This needs the right to signal those sessions (the same role, or ``pg_signal_backend``).
"""

from __future__ import annotations

import os
import secrets
import time

import asyncpg

__all__ = ["APPLICATION_NAME_PREFIX", "WriterLease", "new_holder_id"]

APPLICATION_NAME_PREFIX = "croupier-writer/"
_CONNECT_TIMEOUT_S = 10.0
#: How long a take-over waits for the lease row (a commit of the previous holder) before it
#: ends that holder's sessions again and retries.
_LOCK_TIMEOUT = "2s"
#: The same advisory key as migrations: two processes creating the table at once would
#: otherwise collide on the catalogue.
_MIGRATION_LOCK_KEY = int.from_bytes(b"crpmigra", "big")

_CREATE = (
    "CREATE TABLE IF NOT EXISTS writer_lease ("
    " id SMALLINT PRIMARY KEY CHECK (id = 1),"
    " epoch BIGINT NOT NULL,"
    " holder TEXT NOT NULL,"
    " expires_at TIMESTAMPTZ NOT NULL)"
)
_SEED = "INSERT INTO writer_lease VALUES (1, 0, '', '-infinity') ON CONFLICT (id) DO NOTHING"
_CURRENT = "SELECT holder, expires_at <= clock_timestamp() FROM writer_lease WHERE id = 1"
_END_SESSIONS = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE application_name = $1 AND datname = current_database() AND pid <> pg_backend_pid()"
)
_TAKE = (
    "UPDATE writer_lease SET epoch = epoch + 1, holder = $1, "
    "expires_at = clock_timestamp() + make_interval(secs => $2) "
    "WHERE id = 1 AND expires_at <= clock_timestamp() RETURNING epoch"
)
_RENEW = (
    "UPDATE writer_lease SET expires_at = clock_timestamp() + make_interval(secs => $2) "
    "WHERE id = 1 AND epoch = $1 RETURNING epoch"
)
_RELEASE = "UPDATE writer_lease SET expires_at = '-infinity' WHERE id = 1 AND epoch = $1"


def new_holder_id() -> str:
    """A name for this process as a lease holder: short (``application_name`` keeps 63
    bytes), unique even when a pid is reused."""
    return f"{os.getpid()}-{secrets.token_hex(4)}"


def application_name(holder: str) -> str:
    return f"{APPLICATION_NAME_PREFIX}{holder}"


class WriterLease:
    """The lease row, through a connection of its own (the writer's is busy committing)."""

    def __init__(self, dsn: str, *, holder: str, ttl_s: float) -> None:
        if ttl_s <= 0:
            raise ValueError("the lease's ttl_s must be positive")
        self.dsn = dsn
        self.holder = holder
        self.ttl_s = ttl_s
        self._conn: asyncpg.Connection | None = None
        self._held_until = 0.0  # monotonic: when the lease runs out at the latest, as we know

    def fresh(self) -> bool:
        """Whether the lease is ours for sure: taken or renewed less than a term ago,
        counted from *before* the request that did it. A process that was paused (SIGSTOP)
        finds this false as soon as it runs again, before it learns anything from the
        database; a writer answers nothing then."""
        return time.monotonic() < self._held_until

    async def open(self) -> None:
        conn = await asyncpg.connect(
            self.dsn,
            timeout=_CONNECT_TIMEOUT_S,
            server_settings={"application_name": application_name(self.holder)},
        )
        try:
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK_KEY)
                await conn.execute(_CREATE)
                await conn.execute(_SEED)
        except BaseException:
            await conn.close()
            raise
        self._conn = conn

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    async def try_take(self) -> int | None:
        """Take the lease if it has run out: the new epoch, or None (another holds it)."""
        conn = await self._connection()
        row = await conn.fetchrow(_CURRENT, timeout=self.ttl_s)
        holder, expired = row[0], row[1]
        if not expired:
            return None
        if holder and holder != self.holder:
            await conn.fetchval(_END_SESSIONS, application_name(holder), timeout=self.ttl_s)
        asked_at = time.monotonic()
        try:
            async with conn.transaction():
                await conn.execute(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'")
                epoch = await conn.fetchval(_TAKE, self.holder, self.ttl_s)
        except asyncpg.LockNotAvailableError:  # the old holder's commit still holds the row
            return None
        if epoch is None:
            return None
        self._held_until = asked_at + self.ttl_s
        return int(epoch)

    async def renew(self, epoch: int) -> bool:
        """Push the expiry forward; False when the lease is no longer ours (fenced)."""
        asked_at = time.monotonic()
        conn = await self._connection()
        try:
            found = await conn.fetchval(_RENEW, epoch, self.ttl_s, timeout=self.ttl_s)
        except (asyncpg.InterfaceError, asyncpg.InternalClientError, OSError):
            # A session ended under us (a failover, a take-over) may be noticed only by this
            # query: drop it, so the next call opens a new one.
            conn.terminate()
            raise
        if found is None:
            self._held_until = 0.0
            return False
        self._held_until = asked_at + self.ttl_s
        return True

    async def release(self, epoch: int) -> None:
        """Let a standby take over at once (a clean shutdown)."""
        self._held_until = 0.0
        await (await self._connection()).execute(_RELEASE, epoch, timeout=self.ttl_s)

    async def _connection(self) -> asyncpg.Connection:
        """The lease's connection, opened again when it was lost: after a PostgreSQL
        failover the old one is closed for good, and only a new one reaches the new primary."""
        if self._conn is None:
            raise RuntimeError("the lease is not open")
        if self._conn.is_closed():
            await self.open()
        return self._conn
