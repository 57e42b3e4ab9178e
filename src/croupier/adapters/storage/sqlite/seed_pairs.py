"""SQLite seed-pair store: ``seed_pairs`` next to the ledger, in the same file.

The ledger store applies the migrations (``0003_fairness.sql`` among them) when it opens, so
open it first. Like the player store, each connection lives on its own thread: one writes,
one reads. Every write is one autocommitted statement (or one ``BEGIN IMMEDIATE``
transaction) with ``synchronous=FULL``. Nonces are not kept here: a round claims its nonce
on the ledger, in its own transaction (see ``croupier.services.fairness``); ``next_nonce``
records the rounds a pair played once it is revealed.

An active pair's server seed is stored sealed by the vault, bound to the pair's id (chosen
before the insert, inside its transaction, so the seal can name it); the rotation that
reveals it stores it in clear, public from then on (docs/fairness.md).
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any, Final

from croupier.adapters.storage.player_rows import PAIR_COLUMNS, pair_from_row, seal_server_seed
from croupier.adapters.storage.sqlite.base import SqliteStore
from croupier.adapters.vault import Vault
from croupier.domain.seed_pair import SeedPair
from croupier.services.fairness.ports import Rotation, StoredPair

__all__ = ["SqliteSeedPairStore"]

_ACTIVE: Final = "player_id = ? AND revealed_at_ms IS NULL"
_INSERT: Final = (
    "INSERT INTO seed_pairs (id, player_id, server_seed_sealed, server_seed_hash, client_seed, "
    "next_nonce, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


class SqliteSeedPairStore(SqliteStore):
    """Implements ``croupier.services.fairness.SeedPairStore`` on a SQLite file."""

    thread_prefix = "seeds-sqlite"

    def __init__(self, path: str | Path, vault: Vault) -> None:
        super().__init__(path)
        self.vault = vault

    async def open(self) -> None:
        await self._open_connections()
        await self._require_table("seed_pairs")
        await self._on_writer(self._seal_clear_active_seeds)

    def _seal_clear_active_seeds(self) -> None:
        """Seal active seeds stored in clear before migration 0009 (idempotent: a sealed
        row has no clear seed). ``secure_delete`` overwrites the freed clear text."""
        conn = self._writer()
        rows = conn.execute(
            "SELECT id, server_seed FROM seed_pairs "
            "WHERE revealed_at_ms IS NULL AND server_seed IS NOT NULL"
        ).fetchall()
        if not rows:
            return
        conn.execute("PRAGMA secure_delete=ON")
        try:
            for pair_id, server_seed in rows:
                conn.execute(
                    "UPDATE seed_pairs SET server_seed_sealed = ?, server_seed = NULL "
                    "WHERE id = ? AND revealed_at_ms IS NULL AND server_seed IS NOT NULL",
                    (seal_server_seed(self.vault, pair_id, server_seed), pair_id),
                )
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.execute("PRAGMA secure_delete=OFF")

    # -- reads -----------------------------------------------------------------------------
    async def active(self, player_id: str) -> StoredPair | None:
        rows = self._lookup(f"SELECT {PAIR_COLUMNS} FROM seed_pairs WHERE {_ACTIVE}", (player_id,))
        return await pair_from_row(rows[0], self.vault) if rows else None

    async def get(self, pair_id: int) -> StoredPair | None:
        rows = self._lookup(f"SELECT {PAIR_COLUMNS} FROM seed_pairs WHERE id = ?", (pair_id,))
        return await pair_from_row(rows[0], self.vault) if rows else None

    async def active_player_ids(self) -> list[str]:
        rows = await self._read(
            "SELECT player_id FROM seed_pairs WHERE revealed_at_ms IS NULL ORDER BY player_id"
        )
        return [str(row[0]) for row in rows]

    # -- writes ----------------------------------------------------------------------------
    async def insert_active(self, player_id: str, pair: SeedPair, *, at_ms: int) -> StoredPair:
        row = await self._on_writer(
            self._in_transaction, self._insert_active, player_id, pair, at_ms
        )
        return await pair_from_row(row, self.vault)

    def _insert_active(
        self, conn: sqlite3.Connection, player_id: str, pair: SeedPair, at_ms: int
    ) -> Any:
        # In one IMMEDIATE transaction: an active pair found here is the winner of any race.
        row = conn.execute(
            f"SELECT {PAIR_COLUMNS} FROM seed_pairs WHERE {_ACTIVE}", (player_id,)
        ).fetchone()
        if row is not None:
            return row
        return self._insert(conn, player_id, pair, at_ms)

    def _insert(self, conn: sqlite3.Connection, player_id: str, pair: SeedPair, at_ms: int) -> Any:
        pair_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM seed_pairs").fetchone()[0]
        sealed = seal_server_seed(self.vault, pair_id, pair.server_seed)
        conn.execute(
            _INSERT,
            (
                pair_id,
                player_id,
                sealed,
                pair.server_seed_hash,
                pair.client_seed,
                pair.nonce,
                at_ms,
            ),
        )
        return conn.execute(
            f"SELECT {PAIR_COLUMNS} FROM seed_pairs WHERE id = ?", (pair_id,)
        ).fetchone()

    async def set_client_seed(self, player_id: str, client_seed: str) -> StoredPair | None:
        # isolation_level=None: the statement commits on its own once it has run to the end,
        # so fetch every row (a half-read RETURNING statement would hold its transaction).
        rows = await self._on_writer(
            lambda: (
                self._writer()
                .execute(
                    f"UPDATE seed_pairs SET client_seed = ? WHERE {_ACTIVE} AND next_nonce = 0 "
                    f"RETURNING {PAIR_COLUMNS}",
                    (client_seed, player_id),
                )
                .fetchall()
            )
        )
        return await pair_from_row(rows[0], self.vault) if rows else None

    async def rotate(
        self, pair_id: int, new_pair: SeedPair, *, at_ms: int, rounds_played: int
    ) -> Rotation | None:
        old = await self.get(pair_id)
        if old is None or old.revealed:
            return None
        rows = await self._on_writer(
            self._in_transaction, self._rotate, old, new_pair, at_ms, rounds_played
        )
        if rows is None:
            return None
        return Rotation(
            await pair_from_row(rows[0], self.vault), await pair_from_row(rows[1], self.vault)
        )

    def _rotate(
        self,
        conn: sqlite3.Connection,
        old: StoredPair,
        new_pair: SeedPair,
        at_ms: int,
        rounds_played: int,
    ) -> tuple[Any, Any] | None:
        # The reveal puts the seed in clear: public from now on, and what verifiers read.
        revealed = conn.execute(
            "UPDATE seed_pairs SET revealed_at_ms = ?, next_nonce = ?, server_seed = ?, "
            "server_seed_sealed = NULL "
            f"WHERE id = ? AND revealed_at_ms IS NULL RETURNING {PAIR_COLUMNS}",
            (at_ms, rounds_played, old.pair.server_seed, old.pair_id),
        ).fetchall()
        if not revealed:
            return None
        return revealed[0], self._insert(conn, old.player_id, new_pair, at_ms)

    # -- plumbing --------------------------------------------------------------------------
    def _in_transaction(self, fn: Any, *args: Any) -> Any:
        """``fn(conn, *args)`` in one ``BEGIN IMMEDIATE`` transaction on the writer."""
        conn = self._writer()
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(conn, *args)
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        return result
