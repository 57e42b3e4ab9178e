"""SQLite seed-pair store: ``seed_pairs`` next to the ledger, in the same file.

The ledger store applies the migrations (``0003_fairness.sql`` among them) when it opens, so
open it first. Like the player store, each connection lives on its own thread: one writes,
one reads. Every write is one autocommitted statement (or one ``BEGIN IMMEDIATE``
transaction) with ``synchronous=FULL``, so a consumed nonce is on disk before the round
that uses it starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path
from typing import Any, Final

from croupier.adapters.storage.sqlite_base import SqliteStore
from croupier.domain.seed_pair import SeedPair
from croupier.services.fairness_ports import Rotation, StoredPair

__all__ = ["PAIR_COLUMNS", "SqliteSeedPairStore", "pair_from_row"]

PAIR_COLUMNS: Final = "id, player_id, server_seed, client_seed, next_nonce, revealed_at_ms"
_ACTIVE: Final = "player_id = ? AND revealed_at_ms IS NULL"


def pair_from_row(row: Any) -> StoredPair:
    """A :class:`StoredPair` from a row in ``PAIR_COLUMNS`` order."""
    return StoredPair(
        pair_id=int(row[0]),
        player_id=row[1],
        pair=SeedPair(row[2], row[3], int(row[4])),
        revealed_at_ms=None if row[5] is None else int(row[5]),
    )


class SqliteSeedPairStore(SqliteStore):
    """Implements ``croupier.services.fairness.SeedPairStore`` on a SQLite file."""

    thread_prefix = "seeds-sqlite"

    def __init__(self, path: str | Path) -> None:
        super().__init__(path)
        self._nonce_requests: list[tuple[str, int, asyncio.Future[StoredPair | None]]] = []
        self._nonce_flusher: asyncio.Task[None] | None = None  # running while requests wait

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

    async def consume_nonce(self, player_id: str, nonce_max: int) -> StoredPair | None:
        """Take the active pair's next nonce, durably. Concurrent calls share one transaction
        (a group commit, as the ledger's): one fsync for every round starting meanwhile,
        where one fsync each would cap the whole casino at a few hundred rounds a second."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[StoredPair | None] = loop.create_future()
        self._nonce_requests.append((player_id, nonce_max, future))
        if self._nonce_flusher is None or self._nonce_flusher.done():
            self._nonce_flusher = loop.create_task(self._flush_nonce_requests())
        return await future

    async def _flush_nonce_requests(self) -> None:
        while self._nonce_requests:
            batch, self._nonce_requests = self._nonce_requests, []
            try:
                taken = await self._on_writer(
                    self._consume_nonces, [(player, most) for player, most, _ in batch]
                )
            except BaseException as error:  # nothing was committed: every caller fails
                for *_, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (*_, future), pair in zip(batch, taken, strict=True):
                if not future.done():
                    future.set_result(pair)

    def _consume_nonces(self, requests: list[tuple[str, int]]) -> list[StoredPair | None]:
        conn = self._writer()
        # No fsync of its own, and still never a reused nonce: in WAL mode commits append to
        # one log in order, so the round's ledger commit (synchronous=FULL), which comes
        # after this one and before any outcome is drawn, makes this one durable too. A crash
        # before that can lose only nonces no round has used.
        conn.execute("PRAGMA synchronous=NORMAL")
        try:
            return self._consume_nonces_now(conn, requests)
        finally:
            conn.execute("PRAGMA synchronous=FULL")

    def _consume_nonces_now(
        self, conn: sqlite3.Connection, requests: list[tuple[str, int]]
    ) -> list[StoredPair | None]:
        conn.execute("BEGIN IMMEDIATE")
        try:
            taken: list[StoredPair | None] = []
            for player_id, nonce_max in requests:
                # RETURNING gives the row after the update: the nonce taken is next_nonce - 1.
                rows = conn.execute(
                    f"UPDATE seed_pairs SET next_nonce = next_nonce + 1 "
                    f"WHERE {_ACTIVE} AND next_nonce < ? RETURNING {PAIR_COLUMNS}",
                    (player_id, nonce_max),
                ).fetchall()
                if not rows:
                    taken.append(None)
                    continue
                after = pair_from_row(rows[0])
                pair = after.pair
                nonce = SeedPair(pair.server_seed, pair.client_seed, pair.nonce - 1)
                taken.append(StoredPair(after.pair_id, player_id, nonce))
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        return taken

    async def rotate(self, pair_id: int, new_pair: SeedPair, *, at_ms: int) -> Rotation | None:
        return await self._on_writer(self._rotate, pair_id, new_pair, at_ms)

    def _rotate(self, pair_id: int, new_pair: SeedPair, at_ms: int) -> Rotation | None:
        conn = self._writer()
        conn.execute("BEGIN IMMEDIATE")
        try:
            old = conn.execute(
                "UPDATE seed_pairs SET revealed_at_ms = ? WHERE id = ? AND revealed_at_ms IS NULL "
                f"RETURNING {PAIR_COLUMNS}",
                (at_ms, pair_id),
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
