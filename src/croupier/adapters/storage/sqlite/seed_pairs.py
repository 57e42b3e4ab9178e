"""SQLite seed-pair store: ``seed_pairs`` next to the ledger, in the same file.

The ledger store applies the migrations (``0003_fairness.sql`` among them) when it opens, so
open it first. Like the player store, each connection lives on its own thread: one writes,
one reads. Every write is one autocommitted statement (or one ``BEGIN IMMEDIATE``
transaction) with ``synchronous=FULL``. Nonces are not kept here: a round claims its nonce
on the ledger, in its own transaction (see ``croupier.services.fairness``); ``next_nonce``
records the rounds a pair played once it is revealed.
"""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any, Final

from croupier.adapters.storage.player_rows import PAIR_COLUMNS, pair_from_row
from croupier.adapters.storage.sqlite.base import SqliteStore
from croupier.domain.seed_pair import SeedPair
from croupier.services.fairness.ports import Rotation, StoredPair

__all__ = ["SqliteSeedPairStore"]

_ACTIVE: Final = "player_id = ? AND revealed_at_ms IS NULL"


class SqliteSeedPairStore(SqliteStore):
    """Implements ``croupier.services.fairness.SeedPairStore`` on a SQLite file."""

    thread_prefix = "seeds-sqlite"

    async def open(self) -> None:
        await self._open_connections()
        await self._require_table("seed_pairs")

    # -- reads -----------------------------------------------------------------------------
    async def active(self, player_id: str) -> StoredPair | None:
        rows = self._lookup(f"SELECT {PAIR_COLUMNS} FROM seed_pairs WHERE {_ACTIVE}", (player_id,))
        return pair_from_row(rows[0]) if rows else None

    async def get(self, pair_id: int) -> StoredPair | None:
        rows = self._lookup(f"SELECT {PAIR_COLUMNS} FROM seed_pairs WHERE id = ?", (pair_id,))
        return pair_from_row(rows[0]) if rows else None

    async def active_player_ids(self) -> list[str]:
        rows = await self._read(
            "SELECT player_id FROM seed_pairs WHERE revealed_at_ms IS NULL ORDER BY player_id"
        )
        return [str(row[0]) for row in rows]

    # -- writes ----------------------------------------------------------------------------
    async def insert_active(self, player_id: str, pair: SeedPair, *, at_ms: int) -> StoredPair:
        return await self._on_writer(self._insert_active, player_id, pair, at_ms)

    def _insert_active(self, player_id: str, pair: SeedPair, at_ms: int) -> StoredPair:
        conn = self._writer()
        conn.execute(
            "INSERT INTO seed_pairs (player_id, server_seed, server_seed_hash, client_seed, "
            "next_nonce, created_at_ms) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (player_id) WHERE revealed_at_ms IS NULL DO NOTHING",
            (
                player_id,
                pair.server_seed,
                pair.server_seed_hash,
                pair.client_seed,
                pair.nonce,
                at_ms,
            ),
        )
        # Same thread and connection as every write, so this sees the winner of any race.
        row = conn.execute(
            f"SELECT {PAIR_COLUMNS} FROM seed_pairs WHERE {_ACTIVE}", (player_id,)
        ).fetchone()
        if row is None:
            raise RuntimeError(f"no active seed pair for {player_id!r} right after inserting one")
        return pair_from_row(row)

    async def set_client_seed(self, player_id: str, client_seed: str) -> StoredPair | None:
        return await self._write_returning(
            f"UPDATE seed_pairs SET client_seed = ? WHERE {_ACTIVE} AND next_nonce = 0 "
            f"RETURNING {PAIR_COLUMNS}",
            (client_seed, player_id),
        )

    async def rotate(
        self, pair_id: int, new_pair: SeedPair, *, at_ms: int, rounds_played: int
    ) -> Rotation | None:
        return await self._on_writer(self._rotate, pair_id, new_pair, at_ms, rounds_played)

    def _rotate(
        self, pair_id: int, new_pair: SeedPair, at_ms: int, rounds_played: int
    ) -> Rotation | None:
        conn = self._writer()
        conn.execute("BEGIN IMMEDIATE")
        try:
            old = conn.execute(
                "UPDATE seed_pairs SET revealed_at_ms = ?, next_nonce = ? "
                f"WHERE id = ? AND revealed_at_ms IS NULL RETURNING {PAIR_COLUMNS}",
                (at_ms, rounds_played, pair_id),
            ).fetchall()
            if not old:
                conn.execute("ROLLBACK")
                return None
            revealed = pair_from_row(old[0])
            new = conn.execute(
                "INSERT INTO seed_pairs (player_id, server_seed, server_seed_hash, client_seed, "
                f"next_nonce, created_at_ms) VALUES (?, ?, ?, ?, ?, ?) RETURNING {PAIR_COLUMNS}",
                (
                    revealed.player_id,
                    new_pair.server_seed,
                    new_pair.server_seed_hash,
                    new_pair.client_seed,
                    new_pair.nonce,
                    at_ms,
                ),
            ).fetchall()
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        return Rotation(revealed, pair_from_row(new[0]))

    # -- plumbing --------------------------------------------------------------------------
    async def _write_returning(self, sql: str, params: tuple[Any, ...]) -> StoredPair | None:
        # isolation_level=None: the statement commits on its own once it has run to the end,
        # so fetch every row (a half-read RETURNING statement would hold its transaction).
        def run() -> StoredPair | None:
            rows = self._writer().execute(sql, params).fetchall()
            return pair_from_row(rows[0]) if rows else None

        return await self._on_writer(run)
