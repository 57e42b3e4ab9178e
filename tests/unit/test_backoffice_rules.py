"""The back office's pure rules: who counts as the same staff member, reasons, thresholds
and their settings, and the doctests of its modules."""

from __future__ import annotations

import doctest
from decimal import Decimal

import pytest

from croupier.config import ConfigError, load_settings
from croupier.domain.errors import Forbidden, InvalidInput
from croupier.services.backoffice import limits, players
from croupier.services.backoffice.limits import BackofficeLimits
from croupier.services.backoffice.staff_actor import check_reason, same_staff, staff_identity


@pytest.mark.parametrize(
    "other", ["staff:alice", "STAFF:ALICE", "Staff:Alice", " staff:alice\t", "staff:ａｌｉｃｅ"]
)
def test_spellings_of_one_staff_member_are_the_same_person(other: str) -> None:
    assert same_staff("staff:alice", other)


@pytest.mark.parametrize("other", ["staff:alice2", "staff:bob", "staff:alic"])
def test_other_staff_are_other_people(other: str) -> None:
    assert not same_staff("staff:alice", other)


@pytest.mark.parametrize(
    "actor",
    [
        "system",
        "player:p1",
        "anonymous",
        "staff:",
        "staff:al ice",
        "",
        None,
        7,
        "staff:alice\u200b",
        "staff:\u0430lice",
    ],
)
def test_only_staff_act(actor: object) -> None:
    with pytest.raises(Forbidden):
        staff_identity(actor)


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 501])
def test_a_reason_is_required_and_bounded(reason: object) -> None:
    with pytest.raises(InvalidInput):
        check_reason(reason)


def test_thresholds_follow_each_currencys_exponent() -> None:
    assert BackofficeLimits.minor_above(Decimal("100.00"), "EUR") == 100_00
    assert BackofficeLimits.minor_above(Decimal("100"), "JPY") == 100
    assert BackofficeLimits.minor_above(Decimal("1.5"), "KWD") == 1_500


def test_threshold_settings_are_read_and_checked() -> None:
    settings = load_settings(
        {
            "CROUPIER_ADJUSTMENT_APPROVAL_ABOVE": "250.50",
            "CROUPIER_WITHDRAWAL_REVIEW_ABOVE": "0",
        }
    )
    assert settings.backoffice.adjustment_approval_above == Decimal("250.50")
    assert settings.backoffice.withdrawal_review_above == 0
    assert load_settings({}).backoffice == BackofficeLimits()
    for bad in ("-1", "lots", "NaN", "1e13"):
        with pytest.raises(ConfigError, match="CROUPIER_ADJUSTMENT_APPROVAL_ABOVE"):
            load_settings({"CROUPIER_ADJUSTMENT_APPROVAL_ABOVE": bad})


def test_doctests() -> None:
    for module in (limits, players):
        assert doctest.testmod(module).failed == 0
