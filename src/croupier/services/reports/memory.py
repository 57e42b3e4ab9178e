"""A :class:`ReportStore` over groups held in memory: the fake that ships beside the port,
for the service's tests and for synthetic periods (an RTP far off its figures)."""

from __future__ import annotations

from collections.abc import Sequence

from croupier.services.reports.ports import (
    DAY_MS,
    FundingGroup,
    LiabilityTotals,
    RoundGroup,
)

__all__ = ["MemoryReportStore"]


class MemoryReportStore:
    """Answers with the groups it was given, filtered by period and game as a database
    would; ``liabilities`` is returned as given."""

    def __init__(
        self,
        rounds: Sequence[RoundGroup] = (),
        funding: Sequence[FundingGroup] = (),
        liabilities: LiabilityTotals | None = None,
    ) -> None:
        self.rounds = list(rounds)
        self.funding = list(funding)
        self.liabilities = liabilities or LiabilityTotals((), (), 0)

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def round_groups(
        self, start_ms: int, end_ms: int, game_id: str | None
    ) -> list[RoundGroup]:
        found = [
            g
            for g in self.rounds
            if start_ms <= g.day * DAY_MS < end_ms and game_id in (None, g.game_id)
        ]
        return sorted(found, key=lambda g: (g.game_id, g.currency, g.day, g.stake_minor))

    async def funding_groups(
        self, start_ms: int, end_ms: int, game_id: str | None
    ) -> list[FundingGroup]:
        found = [
            g
            for g in self.funding
            if start_ms <= g.day * DAY_MS < end_ms and game_id in (None, g.game_id)
        ]
        return sorted(found, key=lambda g: (g.game_id, g.currency, g.day))

    async def liability_totals(self) -> LiabilityTotals:
        return self.liabilities
