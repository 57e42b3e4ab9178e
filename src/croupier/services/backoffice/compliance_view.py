"""What staff see of a player's compliance, beside the account: the responsible-gambling
state (limits in force and pending increases, the session limit, the reality-check
interval, a time-out or self-exclusion running), the KYC state, the jurisdiction profile,
and how many AML flags the player has; and the list of players excluded now (a time-out or
a self-exclusion not yet over), for the compliance team.

Read-only: the player's own tools change the state (``services/compliance/responsible.py``),
and staff never loosen an exclusion. Every look is audited by the caller
(:class:`~croupier.services.backoffice.players.PlayerDirectory`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from croupier.domain.accounts import Player
from croupier.domain.compliance.responsible import ExclusionKind, ResponsibleState
from croupier.domain.errors import InvalidInput
from croupier.services.aml.ports import RiskStore
from croupier.services.compliance.responsible import ResponsibleGambling, limits_view
from croupier.services.kyc import KycCheck

__all__ = ["ComplianceView"]

#: Excluded players per page of the list, at most.
EXCLUDED_PAGE_MAX: Final = 500
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


class ComplianceView:
    def __init__(
        self,
        responsible: ResponsibleGambling,
        kyc: KycCheck,
        risk: RiskStore,
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self.responsible = responsible
        self.kyc = kyc
        self.risk = risk
        self.clock = clock

    async def of(self, player: Player) -> dict[str, Any]:
        """The player's compliance block of the staff view (one read of each store)."""
        now = self.clock()
        profile = self.responsible.profile_of(player)
        state = await self.responsible.state(player)
        open_flags, all_flags = await self.risk.flag_counts(player.player_id)
        return {
            "jurisdiction": profile.id,
            "responsible_gambling": {
                **limits_view(state, profile, now),
                **_exclusions(state, now),
            },
            "kyc": {
                "state": str(await self.kyc.state(player.player_id)),
                "enforced": self.kyc.enforce,
                "required_before": sorted(str(stage) for stage in profile.kyc_required_before),
            },
            "aml": {"flags_open": open_flags, "flags": all_flags},
        }

    async def excluded(self, *, limit: int, cursor: str | None) -> tuple[list[Any], str | None]:
        """A page of the players whose time-out or self-exclusion runs now, by player id,
        and the next page's cursor (the last player id)."""
        if not 1 <= limit <= EXCLUDED_PAGE_MAX:
            raise InvalidInput(f"limit must be 1 to {EXCLUDED_PAGE_MAX}")
        now = self.clock()
        now_ms = (now - _EPOCH) // timedelta(milliseconds=1)
        states = await self.responsible.store.excluded(
            now_ms, after_player_id=cursor or "", limit=limit
        )
        items = []
        for state in states:
            exclusion = state.exclusion
            if exclusion is None:  # the query asked for an exclusion: never
                continue
            items.append(
                {
                    "player_id": state.player_id,
                    "kind": exclusion.kind.value,
                    "since": exclusion.since.isoformat(),
                    "until": exclusion.until.isoformat(),
                }
            )
        next_cursor = states[-1].player_id if len(states) == limit else None
        return items, next_cursor


def _exclusions(state: ResponsibleState, now: datetime) -> dict[str, Any]:
    """When a running time-out and self-exclusion end (``None``: none runs)."""
    exclusion = state.exclusion
    running = exclusion is not None and exclusion.active(now)
    until = exclusion.until.isoformat() if exclusion is not None and running else None
    kind = exclusion.kind if exclusion is not None else None
    return {
        "time_out_until": until if kind is ExclusionKind.TIME_OUT else None,
        "self_excluded_until": until if kind is ExclusionKind.SELF_EXCLUSION else None,
        # as ResponsibleGambling.marketing_allowed answers it, from the same read
        "marketing_allowed": state.marketing_allowed and not running,
    }
