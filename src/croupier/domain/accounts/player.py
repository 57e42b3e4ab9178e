"""A registered player, as the rest of Croupier sees it (never with the password hash)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

__all__ = ["Player", "bonus_account_id", "cash_account_id"]


def cash_account_id(player_id: str) -> str:
    """The ledger account holding the player's withdrawable money."""
    return f"player:{player_id}:cash"


def bonus_account_id(player_id: str) -> str:
    """The ledger account holding the player's bonus money."""
    return f"player:{player_id}:bonus"


@dataclass(frozen=True, slots=True)
class Player:
    """A player. ``email`` is normalised; the ledger account ids follow from ``player_id``.
    ``state``: the ISO 3166-2 subdivision (``"NJ"``) of a player in a country licensed per
    state or province (the US, Canada); ``None`` elsewhere (docs/compliance.md)."""

    player_id: str
    email: str
    country: str
    currency: str
    date_of_birth: date
    created_at: datetime
    state: str | None = None
    # Derived, but real fields so ``dataclasses.asdict`` and serialisers see them.
    cash_account_id: str = field(init=False)
    bonus_account_id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cash_account_id", cash_account_id(self.player_id))
        object.__setattr__(self, "bonus_account_id", bonus_account_id(self.player_id))
