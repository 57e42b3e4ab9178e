"""Sealing, on a store's first open, the secrets migration 0012 left in ``secrets_plaintext``:
the PostgreSQL twin of :mod:`croupier.adapters.storage.sqlite.sealing`."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from croupier.adapters.storage.sealed_secrets import PlaintextKind
from croupier.adapters.vault import Vault

__all__ = ["seal_plaintext_secrets"]


async def seal_plaintext_secrets(
    pool: asyncpg.Pool, vault: Vault, kinds: Sequence[PlaintextKind]
) -> int:
    """Seal every row of ``kinds`` in ``secrets_plaintext`` into its column, each with the
    deletion of its plaintext in one transaction (the row locked, so two processes opening at
    once seal it once): run again, it finds nothing to do."""
    by_name = {kind.kind: kind for kind in kinds}
    sealed = 0
    async with pool.acquire() as conn:
        pending = await conn.fetch(
            "SELECT kind, row_id FROM secrets_plaintext WHERE kind = ANY($1::text[])",
            list(by_name),
        )
        for name, row_id in pending:
            kind = by_name[name]
            async with conn.transaction():
                secret = await conn.fetchval(
                    "SELECT secret FROM secrets_plaintext WHERE kind = $1 AND row_id = $2 "
                    "FOR UPDATE SKIP LOCKED",
                    name,
                    row_id,
                )
                if secret is None:  # another process sealed it
                    continue
                await conn.execute(
                    f"UPDATE {kind.table} SET {kind.column} = $2 WHERE {kind.key} = $1",
                    row_id,
                    vault.encrypt(secret.encode(), kind.context(row_id)),
                )
                await conn.execute(
                    "DELETE FROM secrets_plaintext WHERE kind = $1 AND row_id = $2", name, row_id
                )
                sealed += 1
    return sealed
