"""Segments and promotion eligibility against their rules, over arbitrary activity."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from croupier.domain.engagement import (
    DayActivity,
    PlayerActivity,
    PlayerStanding,
    RiskSignal,
    Segment,
    SegmentRules,
    promotion_eligible,
    risk_signals,
    segments_of,
)

TODAY = date(2026, 6, 30)

days = st.builds(
    DayActivity,
    day=st.integers(0, 90).map(lambda back: TODAY - timedelta(days=back)),
    rounds=st.integers(0, 500),
    stake_minor=st.integers(0, 2_000_000),
    late_night_rounds=st.integers(0, 500),
    deposits_minor=st.integers(0, 500_000),
)
optional_day = st.one_of(st.none(), st.integers(-2, 120).map(lambda b: TODAY - timedelta(days=b)))
activities = st.builds(
    PlayerActivity,
    registered_on=optional_day,
    last_played_on=optional_day,
    days=st.lists(days, max_size=12).map(tuple),
    limit_increase_pending=st.booleans(),
)
standings = st.builds(
    PlayerStanding,
    self_excluded=st.booleans(),
    timed_out=st.booleans(),
    account_restricted=st.booleans(),
    aml_flagged=st.booleans(),
    marketing_allowed=st.booleans(),
)
RULES = SegmentRules()


@given(activities)
def test_active_and_lapsed_never_together(activity: PlayerActivity) -> None:
    found = segments_of(activity, RULES, TODAY)
    assert not {Segment.ACTIVE, Segment.LAPSED} <= found


@given(activities)
def test_new_is_exactly_a_recent_registration(activity: PlayerActivity) -> None:
    registered = activity.registered_on
    recent = registered is not None and 0 <= (TODAY - registered).days < RULES.new_days
    assert (Segment.NEW in segments_of(activity, RULES, TODAY)) == recent


@given(activities)
def test_at_risk_exactly_when_a_signal_shows(activity: PlayerActivity) -> None:
    at_risk = Segment.AT_RISK in segments_of(activity, RULES, TODAY)
    assert at_risk == bool(risk_signals(activity, RULES, TODAY))
    if activity.limit_increase_pending:
        assert at_risk


@given(activities, st.integers(1, 3_000_000))
def test_more_stake_never_loses_vip(activity: PlayerActivity, extra_minor: int) -> None:
    more = replace(activity, days=(*activity.days, DayActivity(TODAY, stake_minor=extra_minor)))
    if Segment.VIP in segments_of(activity, RULES, TODAY):
        assert Segment.VIP in segments_of(more, RULES, TODAY)


@given(activities, st.integers(1, 5_000_000))
def test_a_higher_vip_bar_never_makes_a_vip(activity: PlayerActivity, raise_minor: int) -> None:
    stricter = replace(RULES, vip_stake_minor_min=RULES.vip_stake_minor_min + raise_minor)
    if Segment.VIP in segments_of(activity, stricter, TODAY):
        assert Segment.VIP in segments_of(activity, RULES, TODAY)


@given(activities, st.lists(days, max_size=4))
def test_days_before_the_history_change_nothing(
    activity: PlayerActivity, old: list[DayActivity]
) -> None:
    horizon = RULES.history_days
    older = tuple(replace(d, day=d.day - timedelta(days=horizon)) for d in old)
    padded = replace(activity, days=activity.days + older)
    assert segments_of(padded, RULES, TODAY) == segments_of(activity, RULES, TODAY)


@given(st.integers(20, 400), st.integers(0, 400))
def test_late_night_share(rounds: int, late: int) -> None:
    late = min(late, rounds)
    activity = PlayerActivity(days=(DayActivity(TODAY, rounds=rounds, late_night_rounds=late),))
    flagged = RiskSignal.LATE_NIGHT in risk_signals(activity, RULES, TODAY)
    assert flagged == (late * 100 >= RULES.late_night_percent_min * rounds)


def test_deposits_rising_threefold_is_a_signal_and_steady_ones_are_not() -> None:
    weekly = [
        DayActivity(TODAY - timedelta(days=7 * week + 8), deposits_minor=40_000)
        for week in range(4)
    ]
    steady = PlayerActivity(days=(*weekly, DayActivity(TODAY, deposits_minor=50_000)))
    rising = PlayerActivity(days=(*weekly, DayActivity(TODAY, deposits_minor=120_000)))
    assert RiskSignal.RISING_DEPOSITS not in risk_signals(steady, RULES, TODAY)
    assert RiskSignal.RISING_DEPOSITS in risk_signals(rising, RULES, TODAY)


@given(standings, activities)
def test_promotions_never_reach_a_barred_or_at_risk_player(
    standing: PlayerStanding, activity: PlayerActivity
) -> None:
    found = segments_of(activity, RULES, TODAY)
    barred = (
        standing.self_excluded
        or standing.timed_out
        or standing.account_restricted
        or standing.aml_flagged
        or not standing.marketing_allowed
        or Segment.AT_RISK in found
    )
    assert promotion_eligible(standing, found) is not barred


def test_impossible_rules_are_refused() -> None:
    for bad in (
        {"lapsed_days": 7, "active_days": 7},
        {"vip_stake_minor_min": 0},
        {"late_night_hours": (6, 2)},
        {"new_days": 0},
    ):
        try:
            SegmentRules(**bad)  # type: ignore[arg-type]
        except ValueError:
            continue
        raise AssertionError(f"{bad} was accepted")
