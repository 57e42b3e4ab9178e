"""The pure compliance rules over the shipped profiles, and the refusals' HTTP statuses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from croupier.adapters.jurisdiction_files import load_profiles
from croupier.api.statuses import status_for
from croupier.domain import compliance as c
from croupier.domain.errors import (
    GameNotOffered,
    GeoBlocked,
    IllegalAction,
    InvalidInput,
    InvalidRegistration,
    SpinTooFast,
    StakeLimit,
    StateConflict,
)

PROFILES = load_profiles()
UK, DE, NJ, MGA, ON = (PROFILES[i] for i in ("ukgc", "de", "nj", "mga", "on"))
T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_a_uk_spin_sooner_than_2_5_s_is_refused_with_retry_after() -> None:
    with pytest.raises(SpinTooFast) as refused:
        c.check_spin_pace(UK, T0, now=T0 + timedelta(milliseconds=1000))
    assert refused.value.retry_after_s == 2  # 1.5 s left, rounded up
    assert status_for(refused.value) == 429
    c.check_spin_pace(UK, T0, now=T0 + timedelta(milliseconds=2500))
    c.check_spin_pace(UK, None, now=T0)  # a first spin


def test_a_de_spin_waits_5_s_and_a_maltese_one_does_not() -> None:
    assert c.spin_wait_ms(DE, T0, now=T0 + timedelta(seconds=4, milliseconds=999)) == 1
    with pytest.raises(SpinTooFast) as refused:
        c.check_spin_pace(DE, T0, now=T0 + timedelta(seconds=4, milliseconds=999))
    assert refused.value.retry_after_s == 1
    assert c.spin_wait_ms(MGA, T0, now=T0) == 0


def test_a_de_stake_over_one_euro_is_refused() -> None:
    c.check_stake(DE, 100, "EUR", age_years=40)
    with pytest.raises(StakeLimit) as refused:
        c.check_stake(DE, 101, "EUR", age_years=40)
    assert status_for(refused.value) == 422


def test_a_uk_player_under_25_has_the_lower_stake_cap() -> None:
    assert c.stake_cap_minor(UK, "GBP", age_years=24) == 200
    assert c.stake_cap_minor(UK, "GBP", age_years=25) == 500
    with pytest.raises(StakeLimit):
        c.check_stake(UK, 201, "GBP", age_years=18)
    c.check_stake(UK, 500, "GBP", age_years=30)
    assert c.stake_cap_minor(NJ, "USD", age_years=30) is None


def test_games_a_profile_does_not_allow_are_not_offered() -> None:
    c.check_game_kind(DE, "slots")
    with pytest.raises(GameNotOffered) as refused:
        c.check_game_kind(DE, "roulette")
    assert status_for(refused.value) == 404
    assert c.slot_offered(NJ, c.parse_rtp_bp("83.00%"))
    assert not c.slot_offered(NJ, c.parse_rtp_bp("82.99%"))
    assert c.slot_offered(UK, c.parse_rtp_bp("70%"))  # no minimum in GB
    with pytest.raises(GameNotOffered, match="low-rtp is not offered"):
        c.check_slot_offered(NJ, "low-rtp", 8299)


@pytest.mark.parametrize("text", ["94.381%", "94,38%", "101%", "", "94.38"])
def test_a_malformed_rtp_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        c.parse_rtp_bp(text)


def test_autoplay_follows_the_profile() -> None:
    c.check_autoplay(MGA)
    with pytest.raises(IllegalAction):
        c.check_autoplay(UK)


def test_the_minimum_age_is_the_profile_s() -> None:
    today = date(2026, 12, 6)
    c.check_age(UK, date(2008, 12, 6), today)  # 18 today
    with pytest.raises(InvalidRegistration, match="at least 21"):
        c.check_age(NJ, date(2006, 12, 7), today)  # 20
    with pytest.raises(InvalidRegistration, match="at least 19"):
        c.check_age(ON, date(2008, 1, 1), today)


def test_only_the_profile_s_currencies_are_allowed() -> None:
    c.check_currency_allowed(DE, "EUR")
    with pytest.raises(InvalidRegistration) as refused:
        c.check_currency_allowed(UK, "EUR")
    assert refused.value.field == "currency"


def test_kyc_stages_and_player_choices_follow_the_profile() -> None:
    assert c.kyc_required(UK, c.KycStage.PLAY)
    assert not c.kyc_required(MGA, c.KycStage.DEPOSIT)
    assert c.kyc_required(MGA, c.KycStage.WITHDRAWAL)
    assert c.check_reality_check_interval(UK, 30) == 30
    with pytest.raises(InvalidInput):
        c.check_reality_check_interval(DE, 30)
    assert c.check_time_out_hours(UK, 1008) == 1008
    with pytest.raises(InvalidInput):
        c.check_time_out_hours(UK, 1009)
    with pytest.raises(InvalidInput):
        c.check_self_exclusion_months(UK, 5)
    with pytest.raises(InvalidInput):
        c.check_time_out_hours(NJ, 48)  # NJ: 72 h at least
    assert c.default_deposit_limits(DE, "EUR") == {"monthly": 100_000}
    assert c.default_deposit_limits(UK, "GBP") == {}


def test_a_uk_limit_increase_waits_24_h_then_the_player_s_confirmation() -> None:
    rules = UK.limit_changes
    raised = c.change_limit(c.Limit(100_00), 200_00, rules, T0)
    assert raised.value_minor == 100_00
    assert raised.pending == c.PendingIncrease(200_00, T0 + timedelta(hours=24))
    later = T0 + timedelta(hours=25)
    assert c.effective_limit(raised, rules, later).value_minor == 100_00  # not confirmed yet
    with pytest.raises(StateConflict):
        c.confirm_increase(raised, T0 + timedelta(hours=23))
    assert c.confirm_increase(raised, later) == c.Limit(200_00)


def test_a_de_limit_increase_waits_seven_days_and_applies_by_itself() -> None:
    rules = DE.limit_changes
    raised = c.change_limit(c.Limit(1_000_00), None, rules, T0)  # remove the limit
    assert c.effective_limit(raised, rules, T0 + timedelta(days=7) - timedelta(seconds=1)) == raised
    assert c.effective_limit(raised, rules, T0 + timedelta(days=7)) == c.Limit(None)


def test_a_decrease_applies_at_once_and_cancels_a_pending_increase() -> None:
    rules = UK.limit_changes
    raised = c.change_limit(c.Limit(100_00), 200_00, rules, T0)
    assert c.change_limit(raised, 50_00, rules, T0 + timedelta(minutes=1)) == c.Limit(50_00)
    assert c.change_limit(c.Limit(None), 10_00, rules, T0) == c.Limit(10_00)


def test_the_new_refusals_have_their_statuses_and_codes() -> None:
    assert status_for(GeoBlocked("x")) == 451
    assert GeoBlocked.code == "geo-blocked"
    assert SpinTooFast.code == "spin-too-fast"
    assert StakeLimit.code == "stake-limit"
