"""SQLite audit store: ``audit_log`` next to the ledger, in the same file.

The ledger store applies the migrations (``0007_audit.sql`` among them) when it opens, so
open it first. An append is one ``BEGIN IMMEDIATE`` transaction on the writing connection,
through the file's write gate: it reads the head and writes the next record while no other
connection (of this process or another) can write, so two appenders never chain onto the
same head.
"""

from __future__ import annotations

import contextlib
import sqlite3

from croupier.adapters.storage.audit_rows import (
    AUDIT_COLUMNS,
    filtered_query,
    record_from_row,
    record_row,
    seal_entry,
)
from croupier.adapters.storage.sqlite.base import SqliteStore
from croupier.domain.audit import GENESIS_HASH, AuditRecord
from croupier.services.audit.ports import AuditEntry, AuditQuery

__all__ = ["SqliteAuditStore"]

_HEAD = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
_INSERT = f"INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES ({', '.join('?' * 11)})"


class SqliteAuditStore(SqliteStore):
    """Implements ``croupier.services.audit.AuditStore`` on a SQLite file."""

    thread_prefix = "audit-sqlite"

    async def open(self) -> None:
        await self._open_connections()
        await self._require_table("audit_log")

    async def append(self, entry: AuditEntry, *, at_ms: int) -> AuditRecord:
        return await self._on_writer(self._append, entry, at_ms)

    def _append(self, entry: AuditEntry, at_ms: int) -> AuditRecord:
        conn = self._writer()
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            record = seal_entry(entry, (row[0], row[1]) if row else (0, GENESIS_HASH), at_ms)
            conn.execute(_INSERT, record_row(record))
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        return record

    async def query(self, query: AuditQuery) -> list[AuditRecord]:
        sql, params = filtered_query(query, lambda _: "?")
        return [record_from_row(row) for row in await self._read(sql, tuple(params))]

    async def scan(self, after_seq: int, limit: int) -> list[AuditRecord]:
        rows = await self._read(
            f"SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
            (after_seq, limit),
        )
        return [record_from_row(row) for row in rows]
