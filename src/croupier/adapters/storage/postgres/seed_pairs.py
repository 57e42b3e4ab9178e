"""PostgreSQL seed-pair store on asyncpg: the scale-out twin of
:mod:`croupier.adapters.storage.sqlite.seed_pairs`.

The ledger store applies the migrations (``0003_fairness.sql`` among them) when it opens, so
open it first. Nonces are claimed on the ledger, with each round (see
``croupier.services.fairness``). A rotation retires the old pair, recording the rounds it
played, and inserts the new one in one transaction.
"""

from __future__ import annotations

from croupier.adapters.storage.player_rows import PAIR_COLUMNS, pair_from_row
from croupier.adapters.storage.postgres.base import PostgresPoolStore
from croupier.domain.seed_pair import SeedPair
from croupier.services.fairness.ports import Rotation, StoredPair

__all__ = ["PostgresSeedPairStore"]

_ACTIVE = "player_id = $1 AND revealed_at_ms IS NULL"
_INSERT = (
    "INSERT INTO seed_pairs (player_id, server_seed, server_seed_hash, client_seed, next_nonce, "
    "created_at_ms) VALUES ($1, $2, $3, $4, $5, $6)"
)


class PostgresSeedPairStore(PostgresPoolStore):
    """Implements ``croupier.services.fairness.SeedPairStore`` on PostgreSQL."""

    required_table = "seed_pairs"

    # -- reads -----------------------------------------------------------------------------
    async def active(self, player_id: str) -> StoredPair | None:
        row = await self._connections().fetchrow(
            f"SELECT {PAIR_COLUMNS} FROM seed_pairs WHERE {_ACTIVE}", player_id
        )
        return pair_from_row(row) if row is not None else None

    async def get(self, pair_id: int) -> StoredPair | None:
        row = await self._connections().fetchrow(
            f"SELECT {PAIR_COLUMNS} FROM seed_pairs WHERE id = $1", pair_id
        )
        return pair_from_row(row) if row is not None else None

    async def active_player_ids(self) -> list[str]:
        rows = await self._connections().fetch(
            "SELECT player_id FROM seed_pairs WHERE revealed_at_ms IS NULL ORDER BY player_id"
        )
        return [str(row["player_id"]) for row in rows]

    # -- writes ----------------------------------------------------------------------------
    async def insert_active(self, player_id: str, pair: SeedPair, *, at_ms: int) -> StoredPair:
        async with self._connections().acquire() as conn:
            await conn.execute(
                f"{_INSERT} ON CONFLICT (player_id) WHERE revealed_at_ms IS NULL DO NOTHING",
                player_id,
                pair.server_seed,
                pair.server_seed_hash,
                pair.client_seed,
                pair.nonce,
                at_ms,
            )
            # A fresh statement sees the committed winner of a racing insert.
            row = await conn.fetchrow(
                f"SELECT {PAIR_COLUMNS} FROM seed_pairs WHERE {_ACTIVE}", player_id
            )
        if row is None:
            raise RuntimeError(f"no active seed pair for {player_id!r} right after inserting one")
        return pair_from_row(row)

    async def set_client_seed(self, player_id: str, client_seed: str) -> StoredPair | None:
        row = await self._connections().fetchrow(
            f"UPDATE seed_pairs SET client_seed = $2 WHERE {_ACTIVE} AND next_nonce = 0 "
            f"RETURNING {PAIR_COLUMNS}",
            player_id,
            client_seed,
        )
        return pair_from_row(row) if row is not None else None

    async def rotate(
        self, pair_id: int, new_pair: SeedPair, *, at_ms: int, rounds_played: int
    ) -> Rotation | None:
        async with self._connections().acquire() as conn, conn.transaction():
            old = await conn.fetchrow(
                "UPDATE seed_pairs SET revealed_at_ms = $2, next_nonce = $3 "
                f"WHERE id = $1 AND revealed_at_ms IS NULL RETURNING {PAIR_COLUMNS}",
                pair_id,
                at_ms,
                rounds_played,
            )
            if old is None:
                return None
            revealed = pair_from_row(old)
            new = await conn.fetchrow(
                f"{_INSERT} RETURNING {PAIR_COLUMNS}",
                revealed.player_id,
                new_pair.server_seed,
                new_pair.server_seed_hash,
                new_pair.client_seed,
                new_pair.nonce,
                at_ms,
            )
        return Rotation(revealed, pair_from_row(new))
