"""SQLite ``data_keys``: the wrapped keys of :mod:`croupier.adapters.vault`.

Read at start, when a value names a key this process has not loaded, and by ``croupier
keys``: rarely, so each call opens its own short-lived connection on a worker thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from croupier.adapters.vault.envelope import VaultError
from croupier.adapters.vault.vault import WrappedKey

__all__ = ["SqliteDataKeyStore"]

_COLUMNS = "id, purpose, kek_id, wrapped, created_at_ms"


class SqliteDataKeyStore:
    """Implements ``croupier.adapters.vault.DataKeyStore`` on a SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    async def load(self) -> list[WrappedKey]:
        return await asyncio.to_thread(self._load)

    async def insert(self, key: WrappedKey) -> None:
        await asyncio.to_thread(self._insert, key)

    async def rewrap(self, keys: list[WrappedKey], *, old_kek_id: str) -> None:
        await asyncio.to_thread(self._rewrap, keys, old_kek_id)

    def _connect(self) -> sqlite3.Connection:
        if not self.path.exists():
            raise VaultError(f"no database {self.path}: open the ledger store first")
        conn = sqlite3.connect(self.path, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=10000")
        return conn

    def _load(self) -> list[WrappedKey]:
        conn = self._connect()
        try:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM data_keys ORDER BY created_at_ms, id"
            ).fetchall()
        finally:
            conn.close()
        return [WrappedKey(row[0], row[1], row[2], bytes(row[3]), row[4]) for row in rows]

    def _insert(self, key: WrappedKey) -> None:
        conn = self._connect()
        try:
            conn.execute(
                f"INSERT INTO data_keys ({_COLUMNS}) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO NOTHING",
                (key.key_id, key.purpose, key.kek_id, key.wrapped, key.created_at_ms),
            )
        finally:
            conn.close()

    def _rewrap(self, keys: list[WrappedKey], old_kek_id: str) -> None:
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for key in keys:
                    changed = conn.execute(
                        "UPDATE data_keys SET kek_id = ?, wrapped = ? WHERE id = ? AND kek_id = ?",
                        (key.kek_id, key.wrapped, key.key_id, old_kek_id),
                    ).rowcount
                    if changed != 1:
                        raise VaultError(f"data key {key.key_id} changed during the rotation")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        finally:
            conn.close()
