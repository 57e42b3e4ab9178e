"""Segments and promotion eligibility of real players: the activity from the engagement
store, the standing from responsible gambling, account control and the AML risk queue.

:meth:`Segments.promotion_eligible` is the bonus engine's question ("may a promotion reach
this player now?"): ``False`` for a self-excluded, timed-out, frozen or closed, AML-flagged
or at-risk player, and one who turned marketing off (``croupier.domain.engagement``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from croupier.domain.accounts import Player
from croupier.domain.compliance.responsible import ExclusionKind, ResponsibleState
from croupier.domain.engagement import (
    Ineligibility,
    PlayerActivity,
    PlayerStanding,
    RiskSignal,
    Segment,
    SegmentRules,
    ineligibility,
    risk_signals,
    segments_of,
)
from croupier.services.engagement.ports import EngagementStore, PlayerSummary

__all__ = ["AccountFlags", "OpenRiskFlags", "PlayerSegments", "ResponsibleStates", "Segments"]

#: Staff's account flag that puts a player under AML watch (services/backoffice).
_AML_WATCH = "aml-watch"


class ResponsibleStates(Protocol):
    """The responsible-gambling store (``services/compliance/responsible.py``)."""

    async def get(self, player_id: str) -> tuple[ResponsibleState, int] | None: ...


class AccountFlags(Protocol):
    """Account control: whether the account is active, and staff's flags on it."""

    async def account(self, player_id: str) -> tuple[bool, frozenset[str]]: ...


class OpenRiskFlags(Protocol):
    """The AML risk queue: whether the player has a flag still open."""

    async def has_open_risk_flag(self, player_id: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class PlayerSegments:
    player_id: str
    segments: frozenset[Segment]
    signals: frozenset[RiskSignal]
    ineligible: Ineligibility | None

    def as_json(self) -> dict[str, object]:
        return {
            "player_id": self.player_id,
            "segments": sorted(s.value for s in self.segments),
            "risk_signals": sorted(s.value for s in self.signals),
            "promotion_eligible": self.ineligible is None,
            "ineligible_because": None if self.ineligible is None else self.ineligible.value,
        }


def _day_of(ms: int | None) -> date | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC).date()


class Segments:
    def __init__(
        self,
        store: EngagementStore,
        rules: SegmentRules,
        *,
        players: Callable[[str], Awaitable[Player | None]],
        responsible: ResponsibleStates | None,
        accounts: AccountFlags | None,
        risk: OpenRiskFlags | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.rules = rules
        self._players = players
        self._responsible = responsible
        self._accounts = accounts
        self._risk = risk
        self._clock = clock

    def _since(self) -> date:
        return self.clock_today() - timedelta(days=self.rules.history_days)

    def clock_today(self) -> date:
        return self._clock().astimezone(UTC).date()

    async def _state(self, player_id: str) -> ResponsibleState | None:
        if self._responsible is None:
            return None
        found = await self._responsible.get(player_id)
        return None if found is None else found[0]

    def _activity(
        self, summary: PlayerSummary | None, player: Player | None, state: ResponsibleState | None
    ) -> PlayerActivity:
        now = self._clock()
        pending = state is not None and any(
            limit.pending is not None and limit.pending.pending_from > now
            for limit in (*state.limits.money.values(), state.limits.session_minutes)
        )
        return PlayerActivity(
            registered_on=None if player is None else player.created_at.astimezone(UTC).date(),
            last_played_on=None if summary is None else _day_of(summary.last_played_ms),
            days=() if summary is None else summary.days,
            limit_increase_pending=pending,
        )

    async def standing(self, player_id: str, state: ResponsibleState | None) -> PlayerStanding:
        now = self._clock()
        exclusion = None if state is None else state.exclusion
        kind = exclusion.kind if exclusion is not None and exclusion.active(now) else None
        active, flags = (True, frozenset[str]())
        if self._accounts is not None:
            active, flags = await self._accounts.account(player_id)
        aml = _AML_WATCH in flags
        if not aml and self._risk is not None:
            aml = await self._risk.has_open_risk_flag(player_id)
        return PlayerStanding(
            self_excluded=kind is ExclusionKind.SELF_EXCLUSION,
            timed_out=kind is ExclusionKind.TIME_OUT,
            account_restricted=not active,
            aml_flagged=aml,
            marketing_allowed=True if state is None else state.marketing_allowed,
        )

    async def of_player(self, player: Player) -> PlayerSegments:
        """The player's segments, risk signals and promotion eligibility, now."""
        found = await self.store.summaries(self._since(), player_id=player.player_id, limit=1)
        state = await self._state(player.player_id)
        activity = self._activity(found[0] if found else None, player, state)
        today = self.clock_today()
        segments = segments_of(activity, self.rules, today)
        standing = await self.standing(player.player_id, state)
        return PlayerSegments(
            player.player_id,
            segments,
            risk_signals(activity, self.rules, today),
            ineligibility(standing, segments),
        )

    async def promotion_eligible(self, player: Player) -> bool:
        """Whether a promotion may reach the player now (the bonus engine asks this)."""
        return (await self.of_player(player)).ineligible is None

    async def counts(self, *, players_max: int) -> dict[str, object]:
        """How many players are in each segment, over up to ``players_max`` players the
        store has seen play or deposit (by id): players with no activity at all are not
        counted, new or not."""
        summaries = await self.store.summaries(self._since(), limit=players_max)
        today = self.clock_today()
        counts: Counter[str] = Counter()
        for summary in summaries:
            player = await self._players(summary.player_id)
            state = await self._state(summary.player_id)
            activity = self._activity(summary, player, state)
            for segment in segments_of(activity, self.rules, today):
                counts[segment.value] += 1
        return {
            "players": len(summaries),
            "truncated": len(summaries) >= players_max,
            "segments": {segment.value: counts[segment.value] for segment in Segment},
            "as_of": today.isoformat(),
        }
