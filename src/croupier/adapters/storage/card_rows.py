"""The ``cards`` table's columns and row mapping, shared by the SQLite and PostgreSQL stores."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from croupier.services.cards.ports import CardRow

__all__ = ["CARD_COLUMNS", "card_from_row", "card_row"]

CARD_COLUMNS = (
    "token, player_id, masked, brand, country, key_id, kek_id, key_wrapped, pan_sealed, "
    "details_sealed, created_at_ms"
)


def card_row(card: CardRow) -> tuple[object, ...]:
    return (
        card.token,
        card.player_id,
        card.masked,
        card.brand,
        card.country,
        card.key_id,
        card.kek_id,
        card.key_wrapped,
        card.pan_sealed,
        card.details_sealed,
        card.created_at_ms,
    )


def card_from_row(row: Sequence[Any]) -> CardRow:
    return CardRow(
        token=row[0],
        player_id=row[1],
        masked=row[2],
        brand=row[3],
        country=row[4],
        key_id=row[5],
        kek_id=row[6],
        key_wrapped=bytes(row[7]),
        pan_sealed=bytes(row[8]),
        details_sealed=bytes(row[9]),
        created_at_ms=int(row[10]),
    )
