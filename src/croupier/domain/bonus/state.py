"""A player's bonus state, folded from their bonus stream (``bonus:<player>`` on the
ledger): ``bonus.opted_in`` (a deposit-match offer claimed, waiting for a deposit),
``bonus.granted`` (funds credited, wagering starts) and ``bonus.ended`` (converted,
expired, forfeited or lost). One bonus at a time: a player with one active, or an opt-in
waiting, claims nothing else until it ends.

>>> state = fold([(1, "bonus.opted_in", {"offer_id": "welcome"})])
>>> state.waiting, state.head_seq, state.busy
('welcome', 1, True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["BonusGrant", "BonusState", "Outcome", "fold"]


class Outcome(StrEnum):
    CONVERTED = "converted"  # wagering complete: bonus funds became cash
    EXPIRED = "expired"  # past its expiry: what was left went back to the house
    FORFEITED = "forfeited"  # the player gave it up (a withdrawal, or on request)
    LOST = "lost"  # the bonus funds ran out before the wagering was complete
    CANCELLED = "cancelled"  # an opt-in withdrawn before any deposit


@dataclass(frozen=True, slots=True)
class BonusGrant:
    bonus_id: str
    offer_id: str
    kind: str
    currency: str
    amount_minor: int
    deposit_minor: int
    requirement_minor: int
    max_bet_minor: int | None
    weights: Mapping[str, int]
    expires_ms: int
    conversion_max_minor: int | None
    granted_ms: int
    #: free spins: the game, how many, their stake, and the multiple their winnings carry.
    game_id: str | None = None
    spins: int = 0
    spin_stake_minor: int = 0
    wagering_multiple: int = 0

    def as_data(self) -> dict[str, Any]:
        return {
            "bonus_id": self.bonus_id,
            "offer_id": self.offer_id,
            "kind": self.kind,
            "currency": self.currency,
            "amount": self.amount_minor,
            "deposit": self.deposit_minor,
            "requirement": self.requirement_minor,
            "max_bet": self.max_bet_minor,
            "weights": dict(self.weights),
            "expires_ms": self.expires_ms,
            "conversion_max": self.conversion_max_minor,
            "granted_ms": self.granted_ms,
            **(
                {
                    "game_id": self.game_id,
                    "spins": self.spins,
                    "spin_stake": self.spin_stake_minor,
                    "wagering_multiple": self.wagering_multiple,
                }
                if self.spins
                else {}
            ),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> BonusGrant:
        return cls(
            bonus_id=data["bonus_id"],
            offer_id=data["offer_id"],
            kind=data["kind"],
            currency=data["currency"],
            amount_minor=data["amount"],
            deposit_minor=data["deposit"],
            requirement_minor=data["requirement"],
            max_bet_minor=data.get("max_bet"),
            weights=dict(data["weights"]),
            expires_ms=data["expires_ms"],
            conversion_max_minor=data.get("conversion_max"),
            granted_ms=data["granted_ms"],
            game_id=data.get("game_id"),
            spins=data.get("spins", 0),
            spin_stake_minor=data.get("spin_stake", 0),
            wagering_multiple=data.get("wagering_multiple", 0),
        )


@dataclass(frozen=True, slots=True)
class BonusState:
    head_seq: int = 0
    active: BonusGrant | None = None
    #: The deposit-match offer waiting for a deposit (None: none).
    waiting: str | None = None
    #: Every offer this player has claimed (an offer is claimed once).
    claimed: frozenset[str] = frozenset()
    #: (bonus id, outcome) of ended bonuses, oldest first.
    ended: tuple[tuple[str, str], ...] = ()

    @property
    def busy(self) -> bool:
        """Whether a claim must wait: a bonus active or an opt-in waiting."""
        return self.active is not None or self.waiting is not None


def fold(events: Iterable[tuple[int, str, Mapping[str, Any]]]) -> BonusState:
    """The state after these events (seq, type, data), in stream order."""
    head, active, waiting = 0, None, None
    claimed: set[str] = set()
    ended: list[tuple[str, str]] = []
    for seq, kind, data in events:
        head = seq
        if kind == "bonus.opted_in":
            waiting = data["offer_id"]
            claimed.add(data["offer_id"])
        elif kind == "bonus.granted":
            active = BonusGrant.from_data(data)
            claimed.add(active.offer_id)
            if waiting == active.offer_id:
                waiting = None
        elif kind == "bonus.ended":
            ended.append((data["bonus_id"], data["outcome"]))
            if active is not None and active.bonus_id == data["bonus_id"]:
                active = None
            if data["outcome"] == Outcome.CANCELLED and waiting == data.get("offer_id"):
                waiting = None
    return BonusState(head, active, waiting, frozenset(claimed), tuple(ended))
