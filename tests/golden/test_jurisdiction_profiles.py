"""The shipped profiles' key values, each the regulator's figure (docs/compliance.md cites
the source of each): a change to a shipped file that moves one of them fails here."""

from __future__ import annotations

import pytest

from croupier.adapters.jurisdiction_files import load_profiles
from croupier.domain.compliance import KycStage, Profile


@pytest.fixture(scope="module")
def shipped() -> dict[str, Profile]:
    return load_profiles()


def test_the_five_profiles_ship(shipped: dict[str, Profile]) -> None:
    assert sorted(shipped) == ["de", "mga", "nj", "on", "ukgc"]
    assert {p.id: p.regions for p in shipped.values()} == {
        "ukgc": ("GB",),
        "mga": ("MT",),
        "nj": ("US-NJ",),
        "de": ("DE",),
        "on": ("CA-ON",),
    }


def test_ukgc(shipped: dict[str, Profile]) -> None:
    uk = shipped["ukgc"]
    assert uk.slots.spin_interval_ms_min == 2500  # RTS 14D
    assert not uk.slots.autoplay_allowed and not uk.slots.turbo_allowed  # RTS 8C, 14
    assert uk.slots.stake_minor_max == {"GBP": 500}
    assert uk.slots.young_adult is not None
    assert uk.slots.young_adult.age_years_below == 25
    assert uk.slots.young_adult.stake_minor_max == {"GBP": 200}
    assert uk.limit_changes.increase_cooling_off_hours == 24  # RTS 12D
    assert uk.limit_changes.increase_needs_confirmation
    assert uk.deposit_limits.prompt_at_registration  # RTS 12A
    assert (uk.self_exclusion_months_min, uk.self_exclusion_months_max) == (6, 60)
    assert (uk.time_out_hours_min, uk.time_out_hours_max) == (24, 6 * 7 * 24)
    assert uk.age_years_min == 18
    assert uk.currencies == ("GBP",)
    assert uk.kyc_required_before == {KycStage.DEPOSIT, KycStage.PLAY, KycStage.WITHDRAWAL}
    assert uk.slots.rtp_bp_min is None


def test_de(shipped: dict[str, Profile]) -> None:
    de = shipped["de"]
    assert de.slots.spin_interval_ms_min == 5000  # § 22a Abs. 6
    assert de.slots.stake_minor_max == {"EUR": 100}  # § 22a Abs. 7: EUR 1.00
    assert not de.slots.autoplay_allowed  # § 22a Abs. 4
    assert de.deposit_limits.default_minor == {"monthly": {"EUR": 100_000}}  # § 6c: EUR 1,000
    assert de.deposit_limits.cross_operator
    assert de.limit_changes.increase_cooling_off_hours == 7 * 24  # § 6c: seven days
    assert de.game_kinds == {"slots", "holdem"}  # no banked table games (§ 22a Abs. 2)
    assert de.self_exclusion_months_min == 3
    assert de.currencies == ("EUR",)


def test_nj(shipped: dict[str, Profile]) -> None:
    nj = shipped["nj"]
    assert nj.slots.rtp_bp_min == 8300  # N.J.A.C. 13:69E-1.28: 83 %
    assert nj.record_retention_years == 10
    assert nj.age_years_min == 21
    assert nj.currencies == ("USD",)
    assert nj.time_out_hours_min == 72


def test_mga(shipped: dict[str, Profile]) -> None:
    mga = shipped["mga"]
    assert mga.slots.spin_interval_ms_min == 0
    assert mga.slots.autoplay_allowed
    assert mga.slots.stake_minor_max == {}
    assert mga.kyc_required_before == {KycStage.WITHDRAWAL}
    assert mga.currencies == ("EUR",)


def test_on(shipped: dict[str, Profile]) -> None:
    on = shipped["on"]
    assert on.age_years_min == 19
    assert on.slots.spin_interval_ms_min == 2500
    assert not on.slots.autoplay_allowed
    assert on.limit_changes.increase_cooling_off_hours == 24  # Standard 2.24
    assert on.currencies == ("CAD",)
