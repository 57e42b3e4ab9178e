"""Geolocation: the offline RIR adapter on real addresses, the sandbox location provider, the
private-address policy, and the decision that blocks or picks a profile."""

from __future__ import annotations

import pytest

from croupier.adapters.geo import RirCountryGeolocation, SandboxLocationProvider
from croupier.adapters.jurisdiction_files import load_profiles
from croupier.config import ConfigError, load_settings
from croupier.domain.compliance import (
    JurisdictionProfiles,
    Location,
    check_player_location,
    geo_decision,
)
from croupier.domain.errors import GeoBlocked, InvalidInput
from croupier.services.compliance import PrivateAddressPolicy, build_geolocation

LICENCES = JurisdictionProfiles.build(load_profiles(), None).licences


@pytest.mark.parametrize(
    ("address", "country"),
    [
        ("8.8.8.8", "US"),  # Google Public DNS
        ("9.9.9.9", "US"),  # Quad9
        ("193.0.6.139", "NL"),  # RIPE NCC, Amsterdam
        ("212.58.244.22", "GB"),  # the BBC
        ("194.25.2.129", "DE"),  # Deutsche Telekom's resolver
        ("193.188.32.1", "MT"),  # the University of Malta
        ("1.0.16.1", "JP"),
        ("2001:4860:4860::8888", "US"),  # Google Public DNS over IPv6
        ("::ffff:193.188.32.1", "MT"),  # IPv4-mapped, as a dual-stack socket reports it
    ],
)
async def test_the_rir_adapter_places_well_known_addresses(address: str, country: str) -> None:
    location = await RirCountryGeolocation().locate(address)
    assert location == Location(country, None, vpn_or_proxy=False, source="rir")


async def test_the_rir_adapter_refuses_a_malformed_address() -> None:
    with pytest.raises(InvalidInput):
        await RirCountryGeolocation().locate("8.8.8")


@pytest.mark.parametrize(
    ("address", "country", "state", "flagged"),
    [
        ("192.0.2.10", "US", "NJ", False),
        ("192.0.2.200", "US", "PA", False),
        ("198.51.100.7", "US", "NY", False),
        ("203.0.113.5", "US", "NJ", True),
        ("203.0.113.250", "GB", None, True),
        ("2001:db8:826::1", "GB", None, False),
        ("2001:db8:124::1", "CA", "ON", False),
        ("2001:db8:124:1::1", "CA", "QC", False),
    ],
)
async def test_the_sandbox_provider_answers_its_ranges(
    address: str, country: str, state: str | None, flagged: bool
) -> None:
    location = await SandboxLocationProvider().locate(address)
    assert location == Location(country, state, vpn_or_proxy=flagged, source="sandbox")


async def test_the_sandbox_provider_hands_other_addresses_to_its_fallback() -> None:
    provider = SandboxLocationProvider(fallback=RirCountryGeolocation())
    assert await provider.locate("194.25.2.129") == Location("DE", None, False, "rir")
    assert (await SandboxLocationProvider().locate("194.25.2.129")).country is None


@pytest.mark.parametrize(
    ("address", "profile_id"),
    [
        ("192.0.2.10", "nj"),
        ("2001:db8:826::1", "ukgc"),
        ("2001:db8:276::1", "de"),
        ("2001:db8:470::1", "mga"),
        ("2001:db8:124::1", "on"),
    ],
)
async def test_a_licensed_place_picks_its_profile(address: str, profile_id: str) -> None:
    location = await SandboxLocationProvider().locate(address)
    assert geo_decision(location, LICENCES) == profile_id


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("198.51.100.7", "not available in US-NY"),
        ("192.0.2.200", "not available in US-PA"),
        ("2001:db8:124:1::1", "not available in CA-QC"),
        ("2001:db8:250::1", "not available in FR"),
        ("2001:db8:840::1", "US: play needs a state-level location check"),
        ("203.0.113.5", "VPNs and proxies are not allowed"),
        ("203.0.113.250", "VPNs and proxies are not allowed"),
    ],
)
async def test_an_unlicensed_place_or_a_vpn_is_blocked(address: str, reason: str) -> None:
    location = await SandboxLocationProvider().locate(address)
    with pytest.raises(GeoBlocked, match=reason):
        geo_decision(location, LICENCES)


async def test_the_us_by_country_alone_is_blocked_even_from_new_jersey_s_addresses() -> None:
    location = await RirCountryGeolocation().locate("8.8.8.8")
    with pytest.raises(GeoBlocked, match="state-level"):
        geo_decision(location, LICENCES)


def test_a_player_is_held_to_the_place_of_registration() -> None:
    in_germany = Location("DE", None, vpn_or_proxy=False, source="sandbox")
    assert check_player_location(in_germany, LICENCES, country="DE", state=None) == "de"
    with pytest.raises(GeoBlocked, match="registered in GB"):
        check_player_location(in_germany, LICENCES, country="GB", state=None)


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.1.2.3", "192.168.0.9", "fd00::1"])
async def test_private_addresses_are_home_in_development_and_refused_in_production(
    address: str,
) -> None:
    home = Location("MT", None, vpn_or_proxy=False, source="home")
    development = PrivateAddressPolicy(RirCountryGeolocation(), home, allow_private=True)
    assert await development.locate(address) == home
    production = PrivateAddressPolicy(RirCountryGeolocation(), home, allow_private=False)
    with pytest.raises(GeoBlocked, match="CROUPIER_GEO_ALLOW_PRIVATE=1"):
        await production.locate(address)
    assert (await production.locate("212.58.244.22")).country == "GB"  # public: located


async def test_the_configured_geolocation_follows_the_settings() -> None:
    local = build_geolocation(load_settings({}).compliance)
    assert await local.locate("127.0.0.1") == Location("MT", None, False, "home")
    assert (await local.locate("192.0.2.10")).country is None  # rir: not delegated
    sandbox = load_settings({"CROUPIER_GEO_PROVIDER": "sandbox", "CROUPIER_GEO_HOME": "us-nj"})
    located = build_geolocation(sandbox.compliance)
    assert await located.locate("192.0.2.10") == Location("US", "NJ", False, "sandbox")
    assert await located.locate("::1") == Location("US", "NJ", False, "home")
    production = load_settings({}, database_url="postgresql://127.0.0.1/croupier")
    with pytest.raises(GeoBlocked):
        await build_geolocation(production.compliance).locate("127.0.0.1")
    allowed = load_settings(
        {"CROUPIER_GEO_ALLOW_PRIVATE": "1"}, database_url="postgresql://127.0.0.1/croupier"
    )
    assert (await build_geolocation(allowed.compliance).locate("10.0.0.1")).source == "home"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CROUPIER_LICENCES": "US:nj"}, "CROUPIER_LICENCES: 'US:nj': US licenses"),
        ({"CROUPIER_LICENCES": "GB:gb"}, "no jurisdiction profile 'gb'"),
        ({"CROUPIER_LICENCES": "GB:ukgc"}, "CROUPIER_GEO_HOME: no licence covers MT"),
        ({"CROUPIER_GEO_PROVIDER": "maxmind"}, "CROUPIER_GEO_PROVIDER must be one of"),
        ({"CROUPIER_GEO_HOME": "XX"}, "CROUPIER_GEO_HOME: 'XX'"),
        ({"CROUPIER_GEO_ALLOW_PRIVATE": "yes"}, "CROUPIER_GEO_ALLOW_PRIVATE must be 0 or 1"),
        ({"CROUPIER_JURISDICTIONS_DIR": "/nonexistent"}, "must be a directory"),
    ],
)
def test_bad_compliance_settings_are_refused_at_start(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        load_settings(env)


def test_licences_and_home_together_are_accepted() -> None:
    settings = load_settings({"CROUPIER_LICENCES": "GB:ukgc", "CROUPIER_GEO_HOME": "GB"})
    assert settings.compliance.licences == "GB:ukgc"
    assert settings.compliance.geo_home == ("GB", None)


def test_every_sandbox_range_is_documented() -> None:
    from pathlib import Path

    from croupier.adapters.geo import SANDBOX_RANGES

    docs = (Path(__file__).parents[2] / "docs" / "compliance.md").read_text(encoding="utf-8")
    for network, country, state, _ in SANDBOX_RANGES:
        row = next(line for line in docs.splitlines() if line.startswith(f"| `{network}` |"))
        assert (country if state is None else f"{country}-{state}") in row
