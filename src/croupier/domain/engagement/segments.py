"""Player segments: who is new, active, a VIP, lapsed or at risk, from their activity.

Pure rules over a :class:`PlayerActivity` (what the engagement tally stored: rounds, stakes
and deposits per UTC day, the last round's day) and a :class:`SegmentRules` of thresholds.
A player can be in several segments at once (a new VIP; an active player at risk) or in none
(registered a while ago and never played, or cooling off between active and lapsed).

=========  ======================================================================
segment    rule (defaults; every figure is a field of :class:`SegmentRules`)
=========  ======================================================================
new        registered less than ``new_days`` (7) days ago
active     a round within the last ``active_days`` (7) days
vip        staked at least ``vip_stake_minor_min`` in the last ``vip_days`` (30)
lapsed     has played, but no round for ``lapsed_days`` (30) days or more
at-risk    any responsible-gambling signal below (:func:`risk_signals`)
=========  ======================================================================

Risk signals:

* ``rising-deposits``: deposits in the last ``deposit_recent_days`` (7) are at least
  ``deposit_rise_factor`` (3) times the weekly average of the ``deposit_baseline_days`` (28)
  before them, and at least ``deposit_rise_minor_min``;
* ``late-night``: of the rounds in the last ``active_days``, at least
  ``late_night_percent_min`` (50) % were played between ``late_night_hours`` (00:00-06:00 UTC;
  the player's local time is not known), over at least ``late_night_rounds_min`` (20) rounds;
* ``limit-increase``: the player asked to raise a deposit, loss or session limit and the
  increase is still waiting out its cooling-off period.

Amounts are the player's own currency's minor units (a player has one currency).

>>> from datetime import date
>>> rules = SegmentRules()
>>> activity = PlayerActivity(registered_on=date(2026, 1, 1), last_played_on=date(2026, 1, 2))
>>> sorted(segments_of(activity, rules, today=date(2026, 1, 3)))
['active', 'new']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

__all__ = [
    "DayActivity",
    "PlayerActivity",
    "RiskSignal",
    "Segment",
    "SegmentRules",
    "risk_signals",
    "segments_of",
]


class Segment(StrEnum):
    NEW = "new"
    ACTIVE = "active"
    VIP = "vip"
    LAPSED = "lapsed"
    AT_RISK = "at-risk"


class RiskSignal(StrEnum):
    RISING_DEPOSITS = "rising-deposits"
    LATE_NIGHT = "late-night"
    LIMIT_INCREASE = "limit-increase"


@dataclass(frozen=True, slots=True)
class SegmentRules:
    """The thresholds; impossible ones are refused at construction (``ValueError``)."""

    new_days: int = 7
    active_days: int = 7
    vip_days: int = 30
    vip_stake_minor_min: int = 1_000_000  # 10,000.00 in a two-decimal currency
    lapsed_days: int = 30
    deposit_recent_days: int = 7
    deposit_baseline_days: int = 28
    deposit_rise_factor: int = 3
    deposit_rise_minor_min: int = 50_000
    late_night_hours: tuple[int, int] = (0, 6)  # [start, end) hours, UTC
    late_night_percent_min: int = 50
    late_night_rounds_min: int = 20

    def __post_init__(self) -> None:
        windows = (
            self.new_days,
            self.active_days,
            self.vip_days,
            self.lapsed_days,
            self.deposit_recent_days,
            self.deposit_baseline_days,
        )
        if any(days < 1 or days > 3660 for days in windows):
            raise ValueError("every segment window must be between 1 and 3660 days")
        if self.lapsed_days <= self.active_days:
            raise ValueError("lapsed_days must exceed active_days: a player cannot be both")
        if self.vip_stake_minor_min < 1 or self.deposit_rise_minor_min < 0:
            raise ValueError("the VIP stake must be positive, the deposit minimum not negative")
        if self.deposit_rise_factor < 1:
            raise ValueError("deposit_rise_factor must be at least 1")
        start, end = self.late_night_hours
        if not 0 <= start < end <= 24:
            raise ValueError("late_night_hours must be [start, end) within 0..24")
        if not 1 <= self.late_night_percent_min <= 100 or self.late_night_rounds_min < 1:
            raise ValueError("late_night_percent_min in 1..100, late_night_rounds_min ≥ 1")

    @property
    def history_days(self) -> int:
        """How many days back the rules read (older days change no answer)."""
        return max(
            self.active_days,
            self.vip_days,
            self.deposit_recent_days + self.deposit_baseline_days,
        )


@dataclass(frozen=True, slots=True)
class DayActivity:
    """One player's UTC day: rounds settled, staked, of them late at night, deposited."""

    day: date
    rounds: int = 0
    stake_minor: int = 0
    late_night_rounds: int = 0
    deposits_minor: int = 0


@dataclass(frozen=True, slots=True)
class PlayerActivity:
    """What the rules read of one player. ``registered_on``: ``None`` if unknown;
    ``last_played_on``: ``None`` if never; ``days``: any order, older ones are ignored."""

    registered_on: date | None = None
    last_played_on: date | None = None
    days: tuple[DayActivity, ...] = ()
    limit_increase_pending: bool = False


def _within(days: Iterable[DayActivity], today: date, window_days: int) -> list[DayActivity]:
    """The days in ``(today - window_days, today]``."""
    first = today - timedelta(days=window_days - 1)
    return [d for d in days if first <= d.day <= today]


def risk_signals(
    activity: PlayerActivity, rules: SegmentRules, today: date
) -> frozenset[RiskSignal]:
    """The responsible-gambling signals the activity shows on ``today``."""
    signals = set()
    if activity.limit_increase_pending:
        signals.add(RiskSignal.LIMIT_INCREASE)
    recent = sum(d.deposits_minor for d in _within(activity.days, today, rules.deposit_recent_days))
    span = rules.deposit_recent_days + rules.deposit_baseline_days
    earlier = sum(d.deposits_minor for d in _within(activity.days, today, span)) - recent
    # weekly-ish average of the baseline, scaled to the recent window, in integers:
    # recent ≥ factor × earlier × recent_days / baseline_days
    rising = recent * rules.deposit_baseline_days >= (
        rules.deposit_rise_factor * earlier * rules.deposit_recent_days
    )
    if recent >= rules.deposit_rise_minor_min and recent > 0 and rising:
        signals.add(RiskSignal.RISING_DEPOSITS)
    window = _within(activity.days, today, rules.active_days)
    rounds = sum(d.rounds for d in window)
    late = sum(d.late_night_rounds for d in window)
    if (
        rounds >= rules.late_night_rounds_min
        and late * 100 >= rules.late_night_percent_min * rounds
    ):
        signals.add(RiskSignal.LATE_NIGHT)
    return frozenset(signals)


def segments_of(activity: PlayerActivity, rules: SegmentRules, today: date) -> frozenset[Segment]:
    """Every segment the player is in on ``today`` (a UTC date)."""
    found = set()
    registered = activity.registered_on
    if registered is not None and 0 <= (today - registered).days < rules.new_days:
        found.add(Segment.NEW)
    played = activity.last_played_on
    if played is not None:
        idle_days = (today - played).days
        if idle_days < rules.active_days:
            found.add(Segment.ACTIVE)
        elif idle_days >= rules.lapsed_days:
            found.add(Segment.LAPSED)
    staked = sum(d.stake_minor for d in _within(activity.days, today, rules.vip_days))
    if staked >= rules.vip_stake_minor_min:
        found.add(Segment.VIP)
    if risk_signals(activity, rules, today):
        found.add(Segment.AT_RISK)
    return frozenset(found)
