"""Sealing, on a store's first open, the secrets migration 0012 left in ``secrets_plaintext``
(the SQLite side; the PostgreSQL twin is :mod:`croupier.adapters.storage.postgres.sealing`)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence

from croupier.adapters.storage.sealed_secrets import PlaintextKind
from croupier.adapters.vault import Vault

__all__ = ["seal_plaintext_secrets"]


def seal_plaintext_secrets(
    conn: sqlite3.Connection, vault: Vault, kinds: Sequence[PlaintextKind]
) -> int:
    """Seal every row of ``kinds`` in ``secrets_plaintext`` into its column, each with the
    deletion of its plaintext in one transaction: run again, it finds nothing to do. Like the
    players' store, ``secure_delete`` overwrites the freed plaintext, then ``VACUUM`` rewrites
    the file (the migration's copies freed pages holding secrets) and the WAL is truncated."""
    names = [kind.kind for kind in kinds]
    marks = ", ".join("?" for _ in names)
    pending = conn.execute(
        f"SELECT kind, row_id FROM secrets_plaintext WHERE kind IN ({marks})", names
    ).fetchall()
    if not pending:
        return 0
    by_name = {kind.kind: kind for kind in kinds}
    sealed = 0
    conn.execute("PRAGMA secure_delete=ON")
    try:
        for name, row_id in pending:
            conn.execute("BEGIN IMMEDIATE")
            try:
                sealed += _seal_one(conn, vault, by_name[name], row_id)
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
        if sealed:
            conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.execute("PRAGMA secure_delete=OFF")
    return sealed


def _seal_one(conn: sqlite3.Connection, vault: Vault, kind: PlaintextKind, row_id: str) -> int:
    # Read again inside the transaction: another process may have sealed it meanwhile.
    row = conn.execute(
        "SELECT secret FROM secrets_plaintext WHERE kind = ? AND row_id = ?", (kind.kind, row_id)
    ).fetchone()
    if row is None:
        return 0
    conn.execute(
        f"UPDATE {kind.table} SET {kind.column} = ? WHERE {kind.key} = ?",
        (vault.encrypt(row[0].encode(), kind.context(row_id)), row_id),
    )
    conn.execute("DELETE FROM secrets_plaintext WHERE kind = ? AND row_id = ?", (kind.kind, row_id))
    return 1
