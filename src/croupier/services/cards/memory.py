"""The ``cards`` table in memory: the fake of :class:`~croupier.services.cards.CardStore`
for unit tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from croupier.services.cards.ports import CardKey, CardRow

__all__ = ["MemoryCardStore"]


class MemoryCardStore:
    """Implements ``CardStore`` in a dict; ``rows`` is open to tests that tamper."""

    def __init__(self) -> None:
        self.rows: dict[str, CardRow] = {}

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def insert(self, row: CardRow, *, cards_max: int) -> bool:
        if sum(1 for kept in self.rows.values() if kept.player_id == row.player_id) >= cards_max:
            return False
        self.rows[row.token] = row
        return True

    async def cards(self, player_id: str) -> Sequence[CardRow]:
        mine = [row for row in self.rows.values() if row.player_id == player_id]
        return sorted(mine, key=lambda row: (row.created_at_ms, row.token))

    async def card(self, player_id: str, token: str) -> CardRow | None:
        row = self.rows.get(token)
        return row if row is not None and row.player_id == player_id else None

    async def delete(self, player_id: str, token: str) -> bool:
        if await self.card(player_id, token) is None:
            return False
        del self.rows[token]
        return True

    async def keys(self) -> Sequence[CardKey]:
        return [
            CardKey(r.token, r.player_id, r.key_id, r.kek_id, r.key_wrapped, r.created_at_ms)
            for r in sorted(self.rows.values(), key=lambda row: (row.created_at_ms, row.token))
        ]

    async def rewrap(self, keys: Sequence[CardKey], *, old_kek_id: str, new_kek_id: str) -> bool:
        rows = dict(self.rows)
        for key in keys:
            row = rows.get(key.token)
            if row is not None and row.kek_id == old_kek_id:
                rows[key.token] = replace(row, kek_id=key.kek_id, key_wrapped=key.key_wrapped)
        if any(row.kek_id != new_kek_id for row in rows.values()):
            return False
        self.rows = rows
        return True
