"""Force-settle a stuck round, through the same recovery a restart runs (audited)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from croupier.services.audit import AuditEntry, AuditTrail
from croupier.services.backoffice.staff_actor import check_reason, staff_identity
from croupier.services.rounds import RoundService

__all__ = ["RoundControl"]


class RoundControl:
    def __init__(
        self, rounds: RoundService, audit: AuditTrail, *, clock_ms: Callable[[], int]
    ) -> None:
        self.rounds = rounds
        self.audit = audit
        self._clock_ms = clock_ms

    async def force_settle(
        self, round_id: str, *, actor: str, source_ip: str | None, reason: str
    ) -> dict[str, Any]:
        """Settle the round (a decided one from its record; an open one with the table's own
        actions, e.g. blackjack stands). The round's view afterwards, as recall shows it."""
        staff_identity(actor)
        why = check_reason(reason)
        before = await self.rounds.view(round_id)  # RoundNotFound before anything
        settled = await self.rounds.settle_stuck(round_id, now_ms=self._clock_ms())
        after = await self.rounds.view(round_id)
        await self.audit.record(
            AuditEntry(
                actor=actor,
                action="round.force_settled" if settled else "round.force_settle.noop",
                subject=f"round:{round_id}",
                source_ip=source_ip,
                reason=why,
                before={"status": before.get("status"), "win": before.get("win")},
                after={"status": after.get("status"), "win": after.get("win")},
            )
        )
        return after
