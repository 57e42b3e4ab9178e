"""A player's responsible-gambling settings as values: their limits (deposit, loss and wager
per calendar period, and the session time), their reality-check interval, and a time-out or
self-exclusion; pure functions of them and an injected ``now``.

Periods are calendar periods in UTC: the day from 00:00, the ISO week from Monday 00:00, the
month from its first day 00:00. A period's key names it (``d20261206``, ``w2026W49``,
``m202612``): the ledger's allowance accounts carry it (see ``services/compliance``).

>>> from datetime import datetime, UTC
>>> period_key("weekly", datetime(2026, 12, 6, 23, 59, tzinfo=UTC))
'w2026W49'
>>> period_key("monthly", datetime(2026, 12, 6, tzinfo=UTC))
'm202612'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from croupier.domain.compliance.limits import Limit, PendingIncrease, change_limit, effective_limit
from croupier.domain.compliance.profile import LimitChangeRules
from croupier.domain.errors import InvalidInput, SelfExcluded, TimedOut

__all__ = [
    "LIMIT_KINDS",
    "PERIODS",
    "Exclusion",
    "ExclusionKind",
    "PlayerLimits",
    "ResponsibleState",
    "add_months",
    "check_not_excluded",
    "limits_from_json",
    "limits_to_json",
    "period_key",
]

#: What a player may limit per period: money in, net money lost in rounds, money staked.
LIMIT_KINDS: Final = ("deposit", "loss", "wager")
PERIODS: Final = ("daily", "weekly", "monthly")


def period_key(period: str, now: datetime) -> str:
    """The calendar period (UTC) ``now`` falls in, as a short key."""
    if period == "daily":
        return f"d{now:%Y%m%d}"
    if period == "weekly":
        year, week, _ = now.isocalendar()
        return f"w{year}W{week:02d}"
    if period == "monthly":
        return f"m{now:%Y%m}"
    raise ValueError(f"unknown period {period!r}")


def add_months(start: datetime, months: int) -> datetime:
    """``start`` plus whole calendar months, the day clamped to the month's end."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    days = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return start.replace(year=year, month=month, day=min(start.day, days))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@dataclass(frozen=True, slots=True)
class PlayerLimits:
    """Every limit of a player: ``money[(kind, period)]`` and the session time in minutes.
    A missing entry is no limit."""

    money: Mapping[tuple[str, str], Limit] = field(default_factory=dict)
    session_minutes: Limit = field(default_factory=lambda: Limit(None))

    def in_force(self, rules: LimitChangeRules, now: datetime) -> PlayerLimits:
        """The limits as they stand at ``now`` (matured increases applied)."""
        return PlayerLimits(
            {key: effective_limit(limit, rules, now) for key, limit in self.money.items()},
            effective_limit(self.session_minutes, rules, now),
        )

    def amount(self, kind: str, period: str) -> int | None:
        """The amount in force (call on :meth:`in_force`'s result); ``None``: no limit."""
        limit = self.money.get((kind, period))
        return None if limit is None else limit.value_minor

    def changed(
        self, request: Mapping[str, Any], rules: LimitChangeRules, now: datetime
    ) -> PlayerLimits:
        """The limits after the player's ``PUT /v1/limits`` body at ``now``: each named
        limit changes by :func:`change_limit` (decrease at once, increase cooled off); a
        ``null`` removes one (an increase); an absent one is left as it is."""
        money = dict(self.money)
        for kind, periods in request.items():
            if kind == "session_minutes":
                continue
            if kind not in LIMIT_KINDS or not isinstance(periods, Mapping):
                raise InvalidInput(f"unknown limit {kind!r}: deposit, loss, wager")
            for period, amount in periods.items():
                if period not in PERIODS:
                    raise InvalidInput(f"{kind}: unknown period {period!r}: {', '.join(PERIODS)}")
                current = money.get((kind, period), Limit(None))
                money[(kind, period)] = change_limit(current, _amount(amount), rules, now)
        session = self.session_minutes
        if "session_minutes" in request:
            minutes = request["session_minutes"]
            if minutes is not None and (
                isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1
            ):
                raise InvalidInput(f"session_minutes must be a positive whole number: {minutes!r}")
            session = change_limit(session, minutes, rules, now)
        return PlayerLimits(
            {k: v for k, v in money.items() if v.value_minor is not None or v.pending},
            session,
        )


def _amount(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"a limit is a whole number of minor units, got {value!r}")
    return value


def _limit_json(limit: Limit) -> dict[str, Any]:
    pending = limit.pending
    return {
        "value": limit.value_minor,
        "pending": None if pending is None else pending.value_minor,
        "pending_from": None if pending is None else pending.pending_from.isoformat(),
        "has_pending": pending is not None,
    }


def _limit_from(data: Mapping[str, Any]) -> Limit:
    if not data.get("has_pending"):
        return Limit(data["value"])
    return Limit(
        data["value"],
        PendingIncrease(data["pending"], datetime.fromisoformat(data["pending_from"])),
    )


def limits_to_json(limits: PlayerLimits) -> str:
    """How the limits are stored (one JSON document per player)."""
    return json.dumps(
        {
            "money": {f"{k}.{p}": _limit_json(limit) for (k, p), limit in limits.money.items()},
            "session_minutes": _limit_json(limits.session_minutes),
        },
        sort_keys=True,
    )


def limits_from_json(text: str) -> PlayerLimits:
    data = json.loads(text)
    money = {}
    for key, value in data["money"].items():
        kind, _, period = key.partition(".")
        money[(kind, period)] = _limit_from(value)
    return PlayerLimits(money, _limit_from(data["session_minutes"]))


class ExclusionKind(StrEnum):
    TIME_OUT = "time-out"
    SELF_EXCLUSION = "self-exclusion"


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A time-out or a self-exclusion, from ``since`` until ``until`` (not before)."""

    kind: ExclusionKind
    since: datetime
    until: datetime

    def active(self, now: datetime) -> bool:
        return self.since <= now < self.until


@dataclass(frozen=True, slots=True)
class ResponsibleState:
    """What is stored per player (one row): limits, reality-check choice and progress, the
    exclusion, and whether marketing may reach them."""

    player_id: str
    limits: PlayerLimits = PlayerLimits()
    #: The player's reality-check interval; ``None``: the profile's default.
    reality_minutes: int | None = None
    #: When the current play session began (the first round after a login); ``None``: none.
    session_started: datetime | None = None
    #: When the next reality check is due within the session.
    reality_due: datetime | None = None
    #: A reality check was sent and not acknowledged yet (play pauses).
    reality_pending: bool = False
    exclusion: Exclusion | None = None
    #: Whether marketing may be sent (a self-exclusion clears it for good; the engagement
    #: features read it).
    marketing_allowed: bool = True

    def with_exclusion(self, exclusion: Exclusion, now: datetime) -> ResponsibleState:
        """A new exclusion from ``now``: an active one is never shortened (the later end
        wins) nor softened (a self-exclusion stays one); a self-exclusion stops marketing."""
        current = self.exclusion
        if current is not None and current.active(now):
            kind = (
                ExclusionKind.SELF_EXCLUSION
                if ExclusionKind.SELF_EXCLUSION in (current.kind, exclusion.kind)
                else exclusion.kind
            )
            exclusion = Exclusion(kind, current.since, max(current.until, exclusion.until))
        marketing = self.marketing_allowed and exclusion.kind is not ExclusionKind.SELF_EXCLUSION
        return replace(self, exclusion=exclusion, marketing_allowed=marketing)


def check_not_excluded(exclusion: Exclusion | None, now: datetime) -> None:
    """``SelfExcluded`` / ``TimedOut`` (403) while an exclusion runs."""
    if exclusion is None or not exclusion.active(now):
        return
    until = exclusion.until.isoformat()
    if exclusion.kind is ExclusionKind.SELF_EXCLUSION:
        raise SelfExcluded(f"this account is self-excluded until {until}")
    raise TimedOut(f"this account is taking a break from play until {until}")
