"""The back office's storage port and the records it keeps: staff decisions about money and
accounts (the money itself is on the ledger).

One store, implemented on SQLite and PostgreSQL (``adapters/storage/*/backoffice.py``), on the
tables of ``0011_backoffice.sql``. Every change of a decision's state is a compare-and-set
(``from`` states given): two staff members deciding at once, in any process, meet in the
database and exactly one wins.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

__all__ = [
    "Adjustment",
    "AdjustmentState",
    "BackofficeStore",
    "Direction",
    "GameSwitch",
    "PlayerControl",
    "PlayerStatus",
    "Restrictions",
    "ReviewState",
    "SessionView",
    "WithdrawalReview",
]


class PlayerStatus(StrEnum):
    ACTIVE = "active"
    FROZEN = "frozen"  # play and payments refused, balance kept; unfreeze restores
    CLOSED = "closed"  # final: no unfreeze


class Direction(StrEnum):
    CREDIT = "credit"  # to the player
    DEBIT = "debit"  # from the player


class AdjustmentState(StrEnum):
    PENDING = "pending"  # waits for a second staff member; nothing moved
    APPROVED = "approved"  # decided; its transfer is being posted
    POSTED = "posted"  # on the ledger
    REJECTED = "rejected"  # decided against; nothing moved
    FAILED = "failed"  # approved, but the ledger refused it (funds); nothing moved


class ReviewState(StrEnum):
    PENDING = "pending"  # reserved on the ledger; the provider has not heard of it
    APPROVED = "approved"  # decided; the provider is being asked
    PAID = "paid"  # the provider paid and the reservation posted
    DECLINED = "declined"  # staff declined: the reservation was voided
    FAILED = "failed"  # approved, the provider declined: the reservation was voided


@dataclass(frozen=True, slots=True)
class PlayerControl:
    player_id: str
    status: PlayerStatus
    flags: frozenset[str]
    reason: str
    updated_by: str
    updated_at_ms: int


@dataclass(frozen=True, slots=True)
class Restrictions:
    """What the play gate needs, in one read: the account's status and the game's switch."""

    status: PlayerStatus
    game_disabled: bool


@dataclass(frozen=True, slots=True)
class Adjustment:
    request_id: str
    player_id: str
    direction: Direction
    amount_minor: int
    currency: str
    reason_code: str
    note: str
    requested_by: str
    requested_at_ms: int
    state: AdjustmentState
    decided_by: str | None = None
    decided_at_ms: int | None = None
    decision_reason: str = ""
    transfer_id: str | None = None


@dataclass(frozen=True, slots=True)
class WithdrawalReview:
    intent_id: str
    player_id: str
    amount_minor: int
    currency: str
    requested_at_ms: int
    state: ReviewState
    decided_by: str | None = None
    decided_at_ms: int | None = None
    decision_reason: str = ""


@dataclass(frozen=True, slots=True)
class GameSwitch:
    game_id: str
    enabled: bool
    reason: str
    updated_by: str
    updated_at_ms: int


@dataclass(frozen=True, slots=True)
class SessionView:
    """A login session as staff see it: never its token or hash."""

    created_at_ms: int
    expires_at_ms: int
    revoked_at_ms: int | None
    ip: str | None


class BackofficeStore(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    # -- account control -----------------------------------------------------------------
    async def control(self, player_id: str) -> PlayerControl | None: ...

    async def save_control(self, control: PlayerControl) -> PlayerControl:
        """Store ``control`` unless the account is closed; the control stored afterwards
        (the closed one, unchanged, if it was)."""
        ...

    async def restrictions(self, player_id: str, game_id: str | None) -> Restrictions:
        """The account's status (``active`` without a row) and whether ``game_id`` is off."""
        ...

    async def sessions(self, player_id: str, *, limit: int) -> list[SessionView]:
        """The player's sessions, newest first, with the address each logged in from."""
        ...

    # -- adjustments ---------------------------------------------------------------------
    async def insert_adjustment(self, adjustment: Adjustment) -> Adjustment:
        """Store a new adjustment; if its request id exists, the stored one (unchanged)."""
        ...

    async def adjustment(self, request_id: str) -> Adjustment | None: ...

    async def decide_adjustment(
        self,
        request_id: str,
        *,
        from_states: Collection[AdjustmentState],
        to_state: AdjustmentState,
        by: str | None = None,
        at_ms: int | None = None,
        reason: str | None = None,
        transfer_id: str | None = None,
    ) -> bool:
        """Move the adjustment to ``to_state`` if it is in one of ``from_states`` (the
        decision fields given are set); whether it moved."""
        ...

    async def adjustments(
        self, *, state: AdjustmentState | None, limit: int
    ) -> list[Adjustment]: ...

    # -- withdrawal reviews --------------------------------------------------------------
    async def ensure_review(self, review: WithdrawalReview) -> WithdrawalReview:
        """Store the review unless one exists for its intent; the stored one."""
        ...

    async def review(self, intent_id: str) -> WithdrawalReview | None: ...

    async def decide_review(
        self,
        intent_id: str,
        *,
        from_states: Collection[ReviewState],
        to_state: ReviewState,
        by: str | None = None,
        at_ms: int | None = None,
        reason: str | None = None,
    ) -> bool: ...

    async def reviews(self, intent_ids: Collection[str]) -> dict[str, WithdrawalReview]: ...

    # -- games ---------------------------------------------------------------------------
    async def game_switches(self) -> list[GameSwitch]: ...

    async def save_game_switch(self, switch: GameSwitch) -> None: ...
