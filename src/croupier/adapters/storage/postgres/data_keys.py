"""PostgreSQL ``data_keys``: the wrapped keys of :mod:`croupier.adapters.vault`.

Read at start, when a value names a key this process has not loaded, and by ``croupier
keys``: rarely, so each call opens its own connection.
"""

from __future__ import annotations

import asyncpg

from croupier.adapters.vault.envelope import VaultError
from croupier.adapters.vault.vault import WrappedKey

__all__ = ["PostgresDataKeyStore"]

_COLUMNS = "id, purpose, kek_id, wrapped, created_at_ms"
_CONNECT_TIMEOUT_S = 10.0


class PostgresDataKeyStore:
    """Implements ``croupier.adapters.vault.DataKeyStore`` on PostgreSQL."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    async def load(self) -> list[WrappedKey]:
        conn = await asyncpg.connect(self.dsn, timeout=_CONNECT_TIMEOUT_S)
        try:
            rows = await conn.fetch(f"SELECT {_COLUMNS} FROM data_keys ORDER BY created_at_ms, id")
        finally:
            await conn.close()
        return [WrappedKey(row[0], row[1], row[2], bytes(row[3]), row[4]) for row in rows]

    async def insert(self, key: WrappedKey) -> None:
        conn = await asyncpg.connect(self.dsn, timeout=_CONNECT_TIMEOUT_S)
        try:
            await conn.execute(
                f"INSERT INTO data_keys ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5) "
                "ON CONFLICT (id) DO NOTHING",
                key.key_id,
                key.purpose,
                key.kek_id,
                key.wrapped,
                key.created_at_ms,
            )
        finally:
            await conn.close()

    async def rewrap(self, keys: list[WrappedKey], *, old_kek_id: str) -> None:
        conn = await asyncpg.connect(self.dsn, timeout=_CONNECT_TIMEOUT_S)
        try:
            async with conn.transaction():
                for key in keys:
                    status = await conn.execute(
                        "UPDATE data_keys SET kek_id = $1, wrapped = $2 "
                        "WHERE id = $3 AND kek_id = $4",
                        key.kek_id,
                        key.wrapped,
                        key.key_id,
                        old_kek_id,
                    )
                    if status != "UPDATE 1":
                        raise VaultError(f"data key {key.key_id} changed during the rotation")
        finally:
            await conn.close()
