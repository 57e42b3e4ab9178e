"""Row encodings of the stores beside the ledger (players, sessions, seed pairs), shared by
the SQLite and PostgreSQL adapters: one place that knows their column order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from croupier.domain.accounts import Player
from croupier.domain.seed_pair import SeedPair
from croupier.services.accounts.ports import SessionRecord
from croupier.services.fairness.ports import StoredPair

__all__ = [
    "PAIR_COLUMNS",
    "PLAYER_COLUMNS",
    "SESSION_COLUMNS",
    "from_ms",
    "pair_from_row",
    "player_from_row",
    "prefixed",
    "session_from_row",
    "to_ms",
]

PLAYER_COLUMNS = "id, email, country, currency, date_of_birth, created_at_ms"
SESSION_COLUMNS = "token_sha256, player_id, created_at_ms, expires_at_ms, revoked_at_ms"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_ms(moment: datetime) -> int:
    """Milliseconds since the epoch of an aware datetime (exact integer arithmetic)."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def from_ms(ms: int) -> datetime:
    """The UTC datetime of ``ms`` milliseconds since the epoch (exact, no float rounding)."""
    return _EPOCH + timedelta(milliseconds=ms)


def player_from_row(row: Any) -> Player:
    """A :class:`Player` from a row in ``PLAYER_COLUMNS`` order (dates as text or date)."""
    born = row[4] if isinstance(row[4], date) else date.fromisoformat(row[4])
    return Player(
        player_id=row[0],
        email=row[1],
        country=row[2],
        currency=row[3],
        date_of_birth=born,
        created_at=from_ms(row[5]),
    )


def session_from_row(row: Any) -> SessionRecord:
    return SessionRecord(
        token_sha256=row[0],
        player_id=row[1],
        created_at=from_ms(row[2]),
        expires_at=from_ms(row[3]),
        revoked_at=None if row[4] is None else from_ms(row[4]),
    )


def prefixed(alias: str, columns: str) -> str:
    """``columns`` (a comma-separated list) qualified with a table alias."""
    return ", ".join(f"{alias}.{name.strip()}" for name in columns.split(","))


PAIR_COLUMNS: Final = "id, player_id, server_seed, client_seed, next_nonce, revealed_at_ms"


def pair_from_row(row: Any) -> StoredPair:
    """A :class:`StoredPair` from a row in ``PAIR_COLUMNS`` order."""
    return StoredPair(
        pair_id=int(row[0]),
        player_id=row[1],
        pair=SeedPair(row[2], row[3], int(row[4])),
        revealed_at_ms=None if row[5] is None else int(row[5]),
    )
