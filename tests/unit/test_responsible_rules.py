"""The responsible-gambling values and rules: calendar periods in UTC, months added, an
exclusion never shortened, limits stored and read back whole, refusals mapped from the
ledger's, and every new refusal drawn in the errors' tree."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime, timedelta

import pytest

from croupier.domain import errors
from croupier.domain.compliance import LimitChangeRules
from croupier.domain.compliance import responsible as module
from croupier.domain.compliance.responsible import (
    Exclusion,
    ExclusionKind,
    PlayerLimits,
    ResponsibleState,
    add_months,
    check_not_excluded,
    limits_from_json,
    limits_to_json,
    period_key,
)
from croupier.services.compliance.allowances import limit_refusal

NOW = datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
UK = LimitChangeRules(increase_cooling_off_hours=24, increase_needs_confirmation=True)


def test_docstring_examples() -> None:
    result = doctest.testmod(module, raise_on_error=False)
    assert result.attempted > 0 and result.failed == 0


def test_periods_are_calendar_periods_in_utc() -> None:
    assert period_key("daily", NOW) == "d20261231"
    assert period_key("daily", NOW + timedelta(seconds=1)) == "d20270101"
    assert period_key("weekly", NOW) == "w2026W53"  # ISO weeks: Monday to Sunday
    assert period_key("monthly", NOW + timedelta(seconds=1)) == "m202701"


def test_months_are_added_with_the_day_clamped() -> None:
    assert add_months(datetime(2026, 8, 31, tzinfo=UTC), 6) == datetime(2027, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2027, 8, 31, tzinfo=UTC), 6) == datetime(2028, 2, 29, tzinfo=UTC)
    assert add_months(NOW, 60).year == 2031


def test_an_exclusion_is_never_shortened_nor_softened() -> None:
    long = Exclusion(ExclusionKind.SELF_EXCLUSION, NOW, NOW + timedelta(days=180))
    state = ResponsibleState("p").with_exclusion(long, NOW)
    assert not state.marketing_allowed
    later = NOW + timedelta(days=1)
    short = Exclusion(ExclusionKind.TIME_OUT, later, later + timedelta(hours=24))
    again = state.with_exclusion(short, later)
    assert again.exclusion == long
    with pytest.raises(errors.SelfExcluded):
        check_not_excluded(again.exclusion, later)
    check_not_excluded(again.exclusion, long.until)  # over: nothing to refuse


def test_limits_round_trip_through_storage() -> None:
    limits = PlayerLimits().changed(
        {"deposit": {"daily": 100, "monthly": 5000}, "session_minutes": 60}, UK, NOW
    )
    raised = limits.changed({"deposit": {"daily": 200}, "loss": {"weekly": None}}, UK, NOW)
    assert limits_from_json(limits_to_json(raised)) == raised
    pending = raised.money[("deposit", "daily")].pending
    assert pending is not None and pending.pending_from == NOW + timedelta(hours=24)
    with pytest.raises(errors.InvalidInput):
        raised.changed({"bets": {"daily": 1}}, UK, NOW)
    with pytest.raises(errors.InvalidInput):
        raised.changed({"deposit": {"hourly": 1}}, UK, NOW)


def test_an_allowance_refusal_names_the_limit() -> None:
    refused = errors.InsufficientFunds("account 'rg:abc:wager:w2026W53' has 0 available, needs 1")
    mapped = limit_refusal(refused)
    assert isinstance(mapped, errors.WagerLimit) and "weekly" in str(mapped)
    assert limit_refusal(errors.InsufficientFunds("account 'player:abc:cash' has 0")) is None


def test_every_new_refusal_is_drawn_in_the_tree() -> None:
    for name in (
        "DepositLimit",
        "LossLimit",
        "WagerLimit",
        "SessionTimeLimit",
        "RealityCheckDue",
        "SelfExcluded",
        "TimedOut",
    ):
        assert f"── {name} " in (errors.__doc__ or "")
        assert name in errors.__all__
