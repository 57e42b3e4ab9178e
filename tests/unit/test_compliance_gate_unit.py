"""The compliance gate's parts that need no server: where a player registers (country and
state), the per-session location cache, the card's BIN country rule."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from croupier.adapters.geo import SandboxLocationProvider
from croupier.adapters.jurisdiction_files import load_profiles
from croupier.domain.accounts import InvalidRegistration, Player
from croupier.domain.compliance.payments import check_card_country
from croupier.domain.compliance.registry import JurisdictionProfiles
from croupier.domain.compliance.residence import parse_residence
from croupier.domain.errors import GameNotOffered, GeoBlocked, InvalidInput
from croupier.services.compliance.gate import ComplianceGate, GameFacts

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("country", "region", "expected"),
    [
        ("US", "NJ", ("US", "NJ")),
        ("us-nj", None, ("US", "NJ")),
        ("CA", "on", ("CA", "ON")),
        ("MT", None, ("MT", None)),
        ("gb", "", ("GB", None)),
    ],
)
def test_a_residence_is_a_country_and_in_the_us_and_canada_a_state(
    country: str, region: str | None, expected: tuple[str, str | None]
) -> None:
    assert parse_residence(country, region) == expected


@pytest.mark.parametrize(
    ("country", "region", "field"),
    [
        ("US", None, "region"),  # the US licenses per state: which one?
        ("CA", None, "region"),
        ("US", "XX", "region"),
        ("US-NJ", "NJ", "region"),  # given twice
        ("MT", "NJ", "region"),  # Malta has no states Croupier licenses by
        ("XX", None, "country"),
        (None, None, "country"),
    ],
)
def test_a_bad_residence_is_refused_naming_the_field(
    country: object, region: object, field: str
) -> None:
    with pytest.raises(InvalidRegistration) as refused:
        parse_residence(country, region)
    assert refused.value.field == field


def _player(country: str, state: str | None = None) -> Player:
    return Player("p1", "p@example.com", country, "USD", date(1990, 1, 1), NOW, state=state)


def _gate() -> ComplianceGate:
    profiles = JurisdictionProfiles.build(load_profiles(), None)
    games = {"lotus-20": GameFacts("slots", 9400), "low-rtp": GameFacts("slots", 8200)}
    return ComplianceGate(profiles, SandboxLocationProvider(), games, clock=lambda: NOW)


async def test_a_session_is_located_once_per_address() -> None:
    gate = _gate()
    nj = _player("US", "NJ")
    for _ in range(3):
        assert (await gate.admit_request(nj, "session-a", "192.0.2.10")).id == "nj"
    assert gate.lookups == 1
    await gate.admit_request(nj, "session-a", "192.0.2.11")  # the address changed
    await gate.admit_request(nj, "session-b", "192.0.2.11")  # another session
    assert gate.lookups == 3
    for _ in range(2):  # a blocked answer is not kept: asked again each time
        with pytest.raises(GeoBlocked):
            await gate.admit_request(nj, "session-a", "198.51.100.7")
    assert gate.lookups == 5
    gate.forget_session("session-a")
    await gate.admit_request(nj, "session-a", "192.0.2.10")
    assert gate.lookups == 6


async def test_a_slot_below_the_profile_s_rtp_is_not_offered_and_an_unlisted_game_neither() -> None:
    gate = _gate()
    gate.before_round(_player("US", "NJ"), "lotus-20", 100)
    with pytest.raises(GameNotOffered):
        gate.before_round(_player("US", "NJ"), "low-rtp", 100)  # NJ: at least 83 %
    gate.before_round(_player("MT"), "low-rtp", 100)  # Malta sets no minimum
    with pytest.raises(GameNotOffered):
        gate.before_round(_player("MT"), "not-listed", 100)


def test_a_player_whose_licence_was_dropped_is_blocked() -> None:
    profiles = JurisdictionProfiles.build(load_profiles(), "MT:mga")
    gate = ComplianceGate(profiles, SandboxLocationProvider(), {}, clock=lambda: NOW)
    with pytest.raises(GeoBlocked):
        gate.profile_of(_player("GB"))


def test_a_card_pays_only_in_the_country_it_was_issued_in() -> None:
    check_card_country("GB", country="GB")
    with pytest.raises(GeoBlocked):
        check_card_country("FR", country="GB")
    with pytest.raises(InvalidInput):
        check_card_country("ZZ", country="GB")
