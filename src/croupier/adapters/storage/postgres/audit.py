"""PostgreSQL audit store on asyncpg: the scale-out twin of
:mod:`croupier.adapters.storage.sqlite.audit`.

The ledger writer applies the migrations (``0007_audit.sql`` among them); every process —
the all-in-one server, each gateway, the writer — then appends here directly: the audit
trail is not money, it does not queue behind the ledger writer. Appenders in many processes
take turns on a transaction-scoped advisory lock: each reads the head and inserts the next
record while holding it, and the lock goes with the commit. ``seq`` being the primary key
would refuse a second record on the same head anyway.
"""

from __future__ import annotations

from croupier.adapters.storage.audit_rows import (
    AUDIT_COLUMNS,
    filtered_query,
    record_from_row,
    record_row,
    seal_entry,
)
from croupier.adapters.storage.postgres.base import PostgresPoolStore
from croupier.domain.audit import GENESIS_HASH, AuditRecord
from croupier.services.audit.ports import AuditEntry, AuditQuery

__all__ = ["AUDIT_LOCK_KEY", "PostgresAuditStore"]

#: Transaction advisory lock the appenders take turns on ("crpaudit" in ASCII).
AUDIT_LOCK_KEY = int.from_bytes(b"crpaudit", "big")
#: How long an append waits for a connection of the pool, and for the lock.
_WAIT_S = 10.0

_INSERT = (
    f"INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES ({', '.join(f'${n}' for n in range(1, 12))})"
)


class PostgresAuditStore(PostgresPoolStore):
    """Implements ``croupier.services.audit.AuditStore`` on PostgreSQL."""

    required_table = "audit_log"

    async def append(self, entry: AuditEntry, *, at_ms: int) -> AuditRecord:
        async with (
            self._connections().acquire(timeout=_WAIT_S) as conn,
            conn.transaction(isolation="read_committed"),
        ):
            # Bounded: a stuck appender holding the lock makes the others fail, not hang.
            await conn.execute(f"SET LOCAL lock_timeout = '{int(_WAIT_S * 1000)}ms'")
            await conn.execute("SELECT pg_advisory_xact_lock($1)", AUDIT_LOCK_KEY)
            # Read committed: this statement's snapshot is taken after the lock, so it sees
            # the record the previous holder committed.
            row = await conn.fetchrow("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            head = (int(row[0]), str(row[1])) if row is not None else (0, GENESIS_HASH)
            record = seal_entry(entry, head, at_ms)
            await conn.execute(_INSERT, *record_row(record))
        return record

    async def query(self, query: AuditQuery) -> list[AuditRecord]:
        sql, params = filtered_query(query, lambda n: f"${n}")
        return [record_from_row(row) for row in await self._connections().fetch(sql, *params)]

    async def scan(self, after_seq: int, limit: int) -> list[AuditRecord]:
        rows = await self._connections().fetch(
            f"SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
            after_seq,
            limit,
        )
        return [record_from_row(row) for row in rows]
