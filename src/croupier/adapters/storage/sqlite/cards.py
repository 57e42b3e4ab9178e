"""SQLite store of the card vault's ``cards`` table, in the ledger's file (the ledger store
migrates it: open that first). Its writing connection has ``secure_delete`` on: a deleted
card's bytes are overwritten with zeros in the database file, not just unlinked."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence

from croupier.adapters.storage.card_rows import CARD_COLUMNS, card_from_row, card_row
from croupier.adapters.storage.sqlite.base import SqliteStore
from croupier.services.cards.ports import CardKey, CardRow

__all__ = ["SqliteCardStore"]


class SqliteCardStore(SqliteStore):
    """Implements ``croupier.services.cards.CardStore`` on a SQLite file."""

    thread_prefix = "cards-sqlite"

    async def open(self) -> None:
        await self._open_connections()
        await self._require_table("cards")
        await self._on_writer(lambda: self._writer().execute("PRAGMA secure_delete=ON"))

    async def insert(self, row: CardRow, *, cards_max: int) -> bool:
        # One statement on the one writing connection: the count and the insert are atomic.
        sql = (
            f"INSERT INTO cards ({CARD_COLUMNS}) SELECT {', '.join('?' * 11)} "
            "WHERE (SELECT COUNT(*) FROM cards WHERE player_id = ?) < ?"
        )
        params = (*card_row(row), row.player_id, cards_max)
        changed = await self._on_writer(lambda: self._writer().execute(sql, params).rowcount)
        return bool(changed == 1)

    async def cards(self, player_id: str) -> Sequence[CardRow]:
        rows = await self._read(
            f"SELECT {CARD_COLUMNS} FROM cards WHERE player_id = ? ORDER BY created_at_ms, token",
            (player_id,),
        )
        return [card_from_row(row) for row in rows]

    async def card(self, player_id: str, token: str) -> CardRow | None:
        rows = self._lookup(
            f"SELECT {CARD_COLUMNS} FROM cards WHERE token = ? AND player_id = ?",
            (token, player_id),
        )
        return card_from_row(rows[0]) if rows else None

    async def delete(self, player_id: str, token: str) -> bool:
        sql, params = "DELETE FROM cards WHERE token = ? AND player_id = ?", (token, player_id)
        changed = await self._on_writer(lambda: self._writer().execute(sql, params).rowcount)
        return bool(changed == 1)

    async def keys(self) -> Sequence[CardKey]:
        rows = await self._read(
            "SELECT token, player_id, key_id, kek_id, key_wrapped, created_at_ms FROM cards "
            "ORDER BY created_at_ms, token"
        )
        return [CardKey(r[0], r[1], r[2], r[3], bytes(r[4]), r[5]) for r in rows]

    async def rewrap(self, keys: Sequence[CardKey], *, old_kek_id: str, new_kek_id: str) -> bool:
        def run() -> bool:
            conn = self._writer()
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(
                    "UPDATE cards SET kek_id = ?, key_wrapped = ? WHERE token = ? AND kek_id = ?",
                    [(k.kek_id, k.key_wrapped, k.token, old_kek_id) for k in keys],
                )
                left = conn.execute(
                    "SELECT COUNT(*) FROM cards WHERE kek_id != ?", (new_kek_id,)
                ).fetchone()[0]
                conn.execute("COMMIT" if left == 0 else "ROLLBACK")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            return bool(left == 0)

        return await self._on_writer(run)
