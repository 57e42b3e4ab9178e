"""How a player's own limit changes: a decrease applies at once, an increase (or removing the
limit) only after the profile's cooling-off (UKGC RTS 12D and AGCO 2.24: 24 h; GlüStV 2021
§ 6c: 7 days), and where the profile says so only once the player confirms it afterwards.

>>> from datetime import datetime, UTC
>>> from croupier.domain.compliance.profile import LimitChangeRules
>>> rules = LimitChangeRules(increase_cooling_off_hours=24, increase_needs_confirmation=False)
>>> now = datetime(2026, 1, 1, 12, tzinfo=UTC)
>>> raised = change_limit(Limit(100_00), 500_00, rules, now)
>>> raised.value_minor, raised.pending.value_minor, raised.pending.pending_from.isoformat()
(10000, 50000, '2026-01-02T12:00:00+00:00')
>>> change_limit(raised, 50_00, rules, now).value_minor  # a decrease: at once
5000
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from croupier.domain.compliance.profile import LimitChangeRules
from croupier.domain.errors import InvalidAmount, StateConflict
from croupier.domain.money import check_amount

__all__ = [
    "Limit",
    "PendingIncrease",
    "change_limit",
    "confirm_increase",
    "effective_limit",
    "is_decrease",
]


@dataclass(frozen=True, slots=True)
class PendingIncrease:
    """A raised (``value_minor``) or removed (``None``) limit waiting for ``pending_from``."""

    value_minor: int | None
    pending_from: datetime


@dataclass(frozen=True, slots=True)
class Limit:
    """One limit (a deposit limit per month, say): the amount in force, ``None`` for no
    limit, and an increase waiting to apply."""

    value_minor: int | None
    pending: PendingIncrease | None = None


def is_decrease(requested_minor: int | None, current_minor: int | None) -> bool:
    """Whether ``requested_minor`` is at least as strict as ``current_minor`` (``None``: no
    limit, the loosest)."""
    if requested_minor is None:
        return current_minor is None
    return current_minor is None or requested_minor <= current_minor


def effective_limit(limit: Limit, rules: LimitChangeRules, now: datetime) -> Limit:
    """``limit`` as it stands at ``now``: a pending increase whose cooling-off is over takes
    effect, unless the profile wants the player to confirm it first."""
    pending = limit.pending
    if pending is None or now < pending.pending_from or rules.increase_needs_confirmation:
        return limit
    return Limit(pending.value_minor)


def change_limit(
    limit: Limit, requested_minor: int | None, rules: LimitChangeRules, now: datetime
) -> Limit:
    """The limit after the player asks for ``requested_minor`` (``None``: remove it) at
    ``now``. A decrease (or the same amount) applies at once and drops any pending increase;
    an increase waits ``increase_cooling_off_hours`` from now, replacing an earlier one."""
    if requested_minor is not None:
        check_amount(requested_minor, what="limit")
        if requested_minor < 0:
            raise InvalidAmount(f"a limit cannot be negative: {requested_minor}")
    current = effective_limit(limit, rules, now)
    if is_decrease(requested_minor, current.value_minor):
        return Limit(requested_minor)
    cooling_off = timedelta(hours=rules.increase_cooling_off_hours)
    if not cooling_off and not rules.increase_needs_confirmation:
        return Limit(requested_minor)
    return replace(current, pending=PendingIncrease(requested_minor, now + cooling_off))


def confirm_increase(limit: Limit, now: datetime) -> Limit:
    """The player confirms a pending increase once its cooling-off is over; ``StateConflict``
    if there is none, or if it is too soon."""
    pending = limit.pending
    if pending is None:
        raise StateConflict("there is no limit increase to confirm")
    if now < pending.pending_from:
        raise StateConflict(
            f"the increase can be confirmed from {pending.pending_from.isoformat()}"
        )
    return Limit(pending.value_minor)
