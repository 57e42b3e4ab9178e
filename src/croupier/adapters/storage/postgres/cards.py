"""PostgreSQL store of the card vault's ``cards`` table: the scale-out twin of
:mod:`croupier.adapters.storage.sqlite.cards` (gateways write here directly: cards move no
money). A deleted row stays in the table's pages as a dead tuple until VACUUM reuses its
space, and in the WAL: ciphertext and a wrapped key, which the card KEK alone opens
(docs/security.md, "Card data")."""

from __future__ import annotations

from collections.abc import Sequence

from croupier.adapters.storage.card_rows import CARD_COLUMNS, card_from_row, card_row
from croupier.adapters.storage.postgres.base import PostgresPoolStore, placeholders, rows_changed
from croupier.services.cards.ports import CardKey, CardRow

__all__ = ["PostgresCardStore"]


class PostgresCardStore(PostgresPoolStore):
    """Implements ``croupier.services.cards.CardStore`` on PostgreSQL."""

    required_table = "cards"

    async def insert(self, row: CardRow, *, cards_max: int) -> bool:
        async with self._connections().acquire() as conn, conn.transaction():
            # The player's row lock orders concurrent adds: the count cannot go stale.
            await conn.execute("SELECT 1 FROM players WHERE id = $1 FOR UPDATE", row.player_id)
            kept = await conn.fetchval(
                "SELECT COUNT(*) FROM cards WHERE player_id = $1", row.player_id
            )
            if kept >= cards_max:
                return False
            await conn.execute(
                f"INSERT INTO cards ({CARD_COLUMNS}) VALUES ({placeholders(11)})", *card_row(row)
            )
            return True

    async def cards(self, player_id: str) -> Sequence[CardRow]:
        rows = await self._connections().fetch(
            f"SELECT {CARD_COLUMNS} FROM cards WHERE player_id = $1 ORDER BY created_at_ms, token",
            player_id,
        )
        return [card_from_row(row) for row in rows]

    async def card(self, player_id: str, token: str) -> CardRow | None:
        row = await self._connections().fetchrow(
            f"SELECT {CARD_COLUMNS} FROM cards WHERE token = $1 AND player_id = $2",
            token,
            player_id,
        )
        return None if row is None else card_from_row(row)

    async def delete(self, player_id: str, token: str) -> bool:
        status = await self._connections().execute(
            "DELETE FROM cards WHERE token = $1 AND player_id = $2", token, player_id
        )
        return rows_changed(status) == 1

    async def keys(self) -> Sequence[CardKey]:
        rows = await self._connections().fetch(
            "SELECT token, player_id, key_id, kek_id, key_wrapped, created_at_ms FROM cards "
            "ORDER BY created_at_ms, token"
        )
        return [CardKey(r[0], r[1], r[2], r[3], bytes(r[4]), r[5]) for r in rows]

    async def rewrap(self, keys: Sequence[CardKey], *, old_kek_id: str, new_kek_id: str) -> bool:
        try:
            async with self._connections().acquire() as conn, conn.transaction():
                # No card is added or re-wrapped by anyone else until this commits.
                await conn.execute("LOCK TABLE cards IN SHARE ROW EXCLUSIVE MODE")
                await conn.executemany(
                    "UPDATE cards SET kek_id = $1, key_wrapped = $2 "
                    "WHERE token = $3 AND kek_id = $4",
                    [(k.kek_id, k.key_wrapped, k.token, old_kek_id) for k in keys],
                )
                left = await conn.fetchval(
                    "SELECT COUNT(*) FROM cards WHERE kek_id != $1", new_kek_id
                )
                if left:
                    raise _CardsLeftBehind  # rolls the transaction back
        except _CardsLeftBehind:
            return False
        return True


class _CardsLeftBehind(Exception):
    """A card under another KEK than the new one: the rotation must not commit."""
