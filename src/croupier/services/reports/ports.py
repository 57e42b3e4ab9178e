"""What the reports read, as the storage adapters group it (see ``adapters/storage/reports``).

Days are whole UTC days since 1970-01-01 (``timestamp_ms // 86_400_000``, the same integer
division on both engines), amounts are integers of minor units, and no row mixes currencies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

__all__ = [
    "DAY_MS",
    "GROUPS_MAX",
    "FundingGroup",
    "KindTotal",
    "LiabilityTotals",
    "ReportStore",
    "RoundGroup",
]

DAY_MS: Final = 86_400_000
#: The most groups one query may return: a period's (game, currency, day, stake) groups. A
#: query that finds more is refused (narrow the period or the game) rather than paged through
#: memory unbounded.
GROUPS_MAX: Final = 200_000


@dataclass(frozen=True, slots=True)
class RoundGroup:
    """Settled rounds of one game, currency, UTC day and stake: how many, and what they paid.
    Grouping by stake keeps the sum of squared stakes exact (the RTP interval needs it)."""

    game_id: str
    currency: str
    day: int
    stake_minor: int
    rounds: int
    wins_minor: int  # paid by the house
    jackpot_wins_minor: int  # paid by the game's pool


@dataclass(frozen=True, slots=True)
class FundingGroup:
    """What the house moved into one game's jackpot pool on one UTC day (contributions and
    seeds), in the pool's currency."""

    game_id: str
    currency: str
    day: int
    funding_minor: int


@dataclass(frozen=True, slots=True)
class KindTotal:
    """Player money of one account kind in one currency: posted, and reserved by pendings."""

    kind: str
    currency: str
    posted_minor: int
    pending_minor: int


@dataclass(frozen=True, slots=True)
class LiabilityTotals:
    """The same totals computed twice, from one consistent snapshot: from the accounts'
    running balances, and from the transfers themselves (which the balances project)."""

    from_balances: Sequence[KindTotal]
    from_transfers: Sequence[KindTotal]
    head_seq: int  # the last batch the snapshot saw


class ReportStore(Protocol):
    """Aggregates over the ledger's tables, for reports. Reads only, never locks the writer."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def round_groups(
        self, start_ms: int, end_ms: int, game_id: str | None
    ) -> list[RoundGroup]:
        """Rounds settled in ``[start_ms, end_ms)`` (one game, or all), ordered by game,
        currency, day and stake; ``ReportTooLarge`` beyond :data:`GROUPS_MAX` groups."""
        ...

    async def funding_groups(
        self, start_ms: int, end_ms: int, game_id: str | None
    ) -> list[FundingGroup]:
        """Jackpot funding posted in ``[start_ms, end_ms)``, ordered by game, currency, day."""
        ...

    async def liability_totals(self) -> LiabilityTotals:
        """Player cash and bonus per currency, both ways, in one read transaction."""
        ...
