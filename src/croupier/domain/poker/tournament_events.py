"""What a tournament tells the lobby: one small frozen event per change, past tense.

Each has ``to_dict()`` with a ``"type"`` key (JSON-safe) for the lobby stream; amounts of
money are minor units, chips are tournament chips.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

__all__ = [
    "AddOnBought",
    "BreakEnded",
    "BreakStarted",
    "HandForHandEnded",
    "HandForHandStarted",
    "LateRegistrationClosed",
    "LevelAdvanced",
    "PlayerEliminated",
    "PlayerMoved",
    "PlayerRegistered",
    "PlayerSeated",
    "PlayerUnregistered",
    "RebuyBought",
    "RebuyOffered",
    "Refund",
    "TableBroken",
    "TournamentCancelled",
    "TournamentEvent",
    "TournamentFinished",
    "TournamentStarted",
]


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Refund):
        return {"entrant_id": value.entrant_id, "amount_minor": value.amount_minor}
    return value


@dataclass(frozen=True)
class Refund:
    """Money to give back to one entrant (buy-in and fee), minor units."""

    entrant_id: str
    amount_minor: int


@dataclass(frozen=True)
class TournamentEvent:
    """Base of every tournament event."""

    type: ClassVar[str] = "tournament-event"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: ``{"type": ..., <fields>}``."""
        data: dict[str, Any] = {"type": self.type}
        for field in fields(self):
            data[field.name] = _plain(getattr(self, field.name))
        return data


@dataclass(frozen=True)
class PlayerRegistered(TournamentEvent):
    type: ClassVar[str] = "player-registered"
    entrant_id: str
    buy_in_minor: int
    fee_minor: int
    late: bool
    entries: int


@dataclass(frozen=True)
class PlayerUnregistered(TournamentEvent):
    type: ClassVar[str] = "player-unregistered"
    entrant_id: str
    refund_minor: int


@dataclass(frozen=True)
class TournamentStarted(TournamentEvent):
    type: ClassVar[str] = "tournament-started"
    entries: int
    table_count: int
    started_at_s: int


@dataclass(frozen=True)
class TournamentCancelled(TournamentEvent):
    """Below the minimum field at the start (or cancelled while registering)."""

    type: ClassVar[str] = "tournament-cancelled"
    reason: str
    refunds: tuple[Refund, ...]


@dataclass(frozen=True)
class PlayerSeated(TournamentEvent):
    type: ClassVar[str] = "player-seated"
    entrant_id: str
    table_id: int
    seat: int
    stack: int


@dataclass(frozen=True)
class LevelAdvanced(TournamentEvent):
    type: ClassVar[str] = "level-advanced"
    level: int
    small_blind: int
    big_blind: int
    ante: int
    big_blind_ante: bool


@dataclass(frozen=True)
class BreakStarted(TournamentEvent):
    type: ClassVar[str] = "break-started"
    after_level: int
    minutes: int


@dataclass(frozen=True)
class BreakEnded(TournamentEvent):
    type: ClassVar[str] = "break-ended"
    after_level: int


@dataclass(frozen=True)
class LateRegistrationClosed(TournamentEvent):
    type: ClassVar[str] = "late-registration-closed"
    entries: int
    paid_places: int


@dataclass(frozen=True)
class RebuyOffered(TournamentEvent):
    """The player busted while re-buys are open: they keep their seat until they re-buy or
    decline (or the re-buy period ends)."""

    type: ClassVar[str] = "rebuy-offered"
    entrant_id: str


@dataclass(frozen=True)
class RebuyBought(TournamentEvent):
    type: ClassVar[str] = "rebuy-bought"
    entrant_id: str
    chips: int
    price_minor: int


@dataclass(frozen=True)
class AddOnBought(TournamentEvent):
    type: ClassVar[str] = "add-on-bought"
    entrant_id: str
    chips: int
    price_minor: int


@dataclass(frozen=True)
class PlayerEliminated(TournamentEvent):
    """``place`` is the best place of the player's finish; ``tied_to_place`` is the worst
    (equal unless players tied: simultaneous eliminations with equal starting stacks).
    ``provisional`` while late registration is open: late entries push the place down."""

    type: ClassVar[str] = "player-eliminated"
    entrant_id: str
    place: int
    tied_to_place: int
    provisional: bool


@dataclass(frozen=True)
class TableBroken(TournamentEvent):
    type: ClassVar[str] = "table-broken"
    table_id: int


@dataclass(frozen=True)
class PlayerMoved(TournamentEvent):
    type: ClassVar[str] = "player-moved"
    entrant_id: str
    from_table: int
    from_seat: int
    to_table: int
    to_seat: int
    reason: str


@dataclass(frozen=True)
class HandForHandStarted(TournamentEvent):
    type: ClassVar[str] = "hand-for-hand-started"
    players_remaining: int
    paid_places: int


@dataclass(frozen=True)
class HandForHandEnded(TournamentEvent):
    type: ClassVar[str] = "hand-for-hand-ended"
    players_remaining: int


@dataclass(frozen=True)
class TournamentFinished(TournamentEvent):
    type: ClassVar[str] = "tournament-finished"
    winner_id: str
    prize_pool_minor: int
