"""The rounds' limits, alone in a small module: ``croupier.config`` builds them from
``CROUPIER_*`` variables (and checks their bounds there) without reaching into the service."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RoundLimits"]


@dataclass(frozen=True, slots=True)
class RoundLimits:
    house_floor_minor: int = -(10**12)
    page_size_max: int = 100
