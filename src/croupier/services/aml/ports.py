"""The risk queue's storage port and its record: one flag per rule and triggering transfer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

__all__ = ["FlagState", "RiskFlag", "RiskStore"]


class FlagState(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class RiskFlag:
    flag_id: str  # <rule>:<transfer id>
    player_id: str
    rule: str
    transfer_id: str
    amount_minor: int
    currency: str
    detail: Mapping[str, object]
    raised_at_ms: int
    state: FlagState = FlagState.OPEN
    resolved_by: str | None = None
    resolved_at_ms: int | None = None
    resolution: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "flag_id": self.flag_id,
            "player_id": self.player_id,
            "rule": self.rule,
            "transfer_id": self.transfer_id,
            "amount_minor": self.amount_minor,
            "currency": self.currency,
            "detail": dict(self.detail),
            "raised_at_ms": self.raised_at_ms,
            "state": self.state.value,
            "resolved_by": self.resolved_by,
            "resolved_at_ms": self.resolved_at_ms,
            "resolution": self.resolution,
        }


class RiskStore(Protocol):
    async def raise_flag(self, flag: RiskFlag) -> bool:
        """Store the flag unless one of its id exists; whether it was new."""
        ...

    async def flag(self, flag_id: str) -> RiskFlag | None: ...

    async def flags(
        self,
        *,
        state: FlagState | None,
        from_ms: int | None = None,
        to_ms: int | None = None,
        limit: int,
    ) -> list[RiskFlag]:
        """Flags raised in ``[from_ms, to_ms)`` (either open-ended), oldest first."""
        ...

    async def resolve_flag(self, flag_id: str, *, by: str, at_ms: int, resolution: str) -> bool:
        """``open → resolved`` (compare-and-set); whether it moved."""
        ...

    async def flag_counts(self, player_id: str) -> tuple[int, int]:
        """The player's flags: ``(open, all)``."""
        ...
