"""PostgreSQL seed-pair store on asyncpg: the scale-out twin of
:mod:`croupier.adapters.storage.sqlite.seed_pairs`.

The ledger store applies the migrations (``0003_fairness.sql`` among them) when it opens, so
open it first. Nonces are claimed on the ledger, with each round (see
``croupier.services.fairness``). A rotation retires the old pair, recording the rounds it
played, and inserts the new one in one transaction.

An active pair's server seed is stored sealed by the vault, bound to the pair's id (taken
from the identity's sequence before the insert, so the seal can name it); the rotation that
reveals it stores it in clear, public from then on (docs/fairness.md).
"""

from __future__ import annotations

from typing import Any, Final

import asyncpg

from croupier.adapters.storage.player_rows import PAIR_COLUMNS, pair_from_row, seal_server_seed
from croupier.adapters.storage.postgres.base import PostgresPoolStore
from croupier.adapters.vault import Vault
from croupier.domain.seed_pair import SeedPair
from croupier.services.fairness.ports import Rotation, StoredPair

__all__ = ["PostgresSeedPairStore"]

_ACTIVE: Final = "player_id = $1 AND revealed_at_ms IS NULL"
_NEXT_ID: Final = "SELECT nextval(pg_get_serial_sequence('seed_pairs', 'id'))"
_INSERT: Final = (
    "INSERT INTO seed_pairs (id, player_id, server_seed_sealed, server_seed_hash, client_seed, "
    "next_nonce, created_at_ms) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7)"
)


class PostgresSeedPairStore(PostgresPoolStore):
    """Implements ``croupier.services.fairness.SeedPairStore`` on PostgreSQL."""

    required_table = "seed_pairs"

    def __init__(self, dsn: str, vault: Vault, *, connections_max: int = 4) -> None:
        super().__init__(dsn, connections_max=connections_max)
        self.vault = vault

    async def open(self) -> None:
        await super().open()
        await self._seal_clear_active_seeds()

    async def _seal_clear_active_seeds(self) -> None:
        """Seal active seeds stored in clear before migration 0009 (idempotent: a sealed
        row has no clear seed, and the update checks it still is not)."""
        pool = self._connections()
        rows = await pool.fetch(
            "SELECT id, server_seed FROM seed_pairs "
            "WHERE revealed_at_ms IS NULL AND server_seed IS NOT NULL"
        )
        for pair_id, server_seed in rows:
            await pool.execute(
                "UPDATE seed_pairs SET server_seed_sealed = $2, server_seed = NULL "
                "WHERE id = $1 AND revealed_at_ms IS NULL AND server_seed IS NOT NULL",
                pair_id,
                seal_server_seed(self.vault, pair_id, server_seed),
            )

    # -- reads -----------------------------------------------------------------------------
    async def active(self, player_id: str) -> StoredPair | None:
        row = await self._connections().fetchrow(
            f"SELECT {PAIR_COLUMNS} FROM seed_pairs WHERE {_ACTIVE}", player_id
        )
        return await pair_from_row(row, self.vault) if row is not None else None

    async def get(self, pair_id: int) -> StoredPair | None:
        row = await self._connections().fetchrow(
            f"SELECT {PAIR_COLUMNS} FROM seed_pairs WHERE id = $1", pair_id
        )
        return await pair_from_row(row, self.vault) if row is not None else None

    async def active_player_ids(self) -> list[str]:
        rows = await self._connections().fetch(
            "SELECT player_id FROM seed_pairs WHERE revealed_at_ms IS NULL ORDER BY player_id"
        )
        return [str(row["player_id"]) for row in rows]

    # -- writes ----------------------------------------------------------------------------
    async def insert_active(self, player_id: str, pair: SeedPair, *, at_ms: int) -> StoredPair:
        async with self._connections().acquire() as conn:
            await self._insert(
                conn,
                player_id,
                pair,
                at_ms,
                "ON CONFLICT (player_id) WHERE revealed_at_ms IS NULL DO NOTHING",
            )
            # A fresh statement sees the committed winner of a racing insert.
            row = await conn.fetchrow(
                f"SELECT {PAIR_COLUMNS} FROM seed_pairs WHERE {_ACTIVE}", player_id
            )
        if row is None:
            raise RuntimeError(f"no active seed pair for {player_id!r} right after inserting one")
        return await pair_from_row(row, self.vault)

    async def set_client_seed(self, player_id: str, client_seed: str) -> StoredPair | None:
        row = await self._connections().fetchrow(
            f"UPDATE seed_pairs SET client_seed = $2 WHERE {_ACTIVE} AND next_nonce = 0 "
            f"RETURNING {PAIR_COLUMNS}",
            player_id,
            client_seed,
        )
        return await pair_from_row(row, self.vault) if row is not None else None

    async def rotate(
        self, pair_id: int, new_pair: SeedPair, *, at_ms: int, rounds_played: int
    ) -> Rotation | None:
        old = await self.get(pair_id)
        if old is None or old.revealed:
            return None
        async with self._connections().acquire() as conn, conn.transaction():
            # The reveal puts the seed in clear: public from now on, and what verifiers read.
            revealed = await conn.fetchrow(
                "UPDATE seed_pairs SET revealed_at_ms = $2, next_nonce = $3, server_seed = $4, "
                "server_seed_sealed = NULL "
                f"WHERE id = $1 AND revealed_at_ms IS NULL RETURNING {PAIR_COLUMNS}",
                pair_id,
                at_ms,
                rounds_played,
                old.pair.server_seed,
            )
            if revealed is None:
                return None
            new = await self._insert(
                conn, old.player_id, new_pair, at_ms, f"RETURNING {PAIR_COLUMNS}"
            )
        return Rotation(
            await pair_from_row(revealed, self.vault), await pair_from_row(new, self.vault)
        )

    async def _insert(
        self, conn: asyncpg.Connection, player_id: str, pair: SeedPair, at_ms: int, tail: str
    ) -> Any:
        pair_id = await conn.fetchval(_NEXT_ID)
        return await conn.fetchrow(
            f"{_INSERT} {tail}",
            pair_id,
            player_id,
            seal_server_seed(self.vault, pair_id, pair.server_seed),
            pair.server_seed_hash,
            pair.client_seed,
            pair.nonce,
            at_ms,
        )
