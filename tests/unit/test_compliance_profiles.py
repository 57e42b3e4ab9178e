"""Jurisdiction profiles: every inconsistency in a profile file, a profile folder or the
licence map is refused at start with a message naming the file (or setting) and the key."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from croupier.adapters.jurisdiction_files import (
    load_profile_folders,
    load_profiles,
    shipped_jurisdictions,
)
from croupier.domain.compliance import (
    EXAMPLE_PROFILE,
    JurisdictionProfiles,
    parse_licences,
    parse_profile,
)
from croupier.domain.errors import JurisdictionDefinitionError


def example(**changes: Any) -> dict[str, Any]:
    """The example profile with ``changes`` applied, nested keys joined by ``__``."""
    data = copy.deepcopy(dict(EXAMPLE_PROFILE))
    for dotted, value in changes.items():
        *parents, key = dotted.split("__")
        table = data
        for parent in parents:
            table = table[parent]
        if value is _DELETE:
            del table[key]
        else:
            table[key] = value
    return data


_DELETE = object()


def test_the_example_parses() -> None:
    profile = parse_profile(example(), where="de.toml")
    assert profile.slots.spin_interval_ms_min == 5000
    assert profile.deposit_limits.default_minor["monthly"]["EUR"] == 100_000


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"age_years_min": 15}, "de.toml: age_years_min: must be 16 to 25, got 15"),
        ({"age_years_min": "18"}, "de.toml: age_years_min: must be 16 to 25, got '18'"),
        ({"age_years_min": True}, "de.toml: age_years_min: must be 16 to 25, got True"),
        ({"id": "DE!"}, "de.toml: id: must be lower-case letters"),
        ({"name": _DELETE}, "de.toml: name: required"),
        ({"spin_interval": 5}, "de.toml: spin_interval: unknown key"),
        ({"currencies": ["EUR", "XXX"]}, "de.toml: currencies: 'XXX' is not a currency"),
        ({"currencies": []}, "de.toml: currencies: must list at least one currency"),
        ({"currencies": ["EUR", "EUR"]}, "de.toml: currencies: lists an entry twice"),
        ({"regions": ["XX"]}, "de.toml: regions: 'XX': not an ISO 3166-1 alpha-2"),
        ({"regions": ["US-ZZ"]}, "de.toml: regions: 'US-ZZ': not an ISO 3166-2 subdivision"),
        ({"regions": ["DE-BY"]}, "de.toml: regions: 'DE-BY': DE has no subdivisions"),
        ({"regions": ["de"]}, "de.toml: regions: 'de' must be written in upper case"),
        ({"games__kinds": ["slots", "craps"]}, "de.toml: games.kinds: 'craps' is not one of"),
        ({"games__kinds": []}, "de.toml: games.kinds: must list at least one game kind"),
        ({"kyc__required_before": ["login"]}, "de.toml: kyc.required_before: 'login' is not"),
        ({"slots__spin_interval_ms_min": -1}, "de.toml: slots.spin_interval_ms_min: must be 0"),
        ({"slots__turbo_allowed": 1}, "de.toml: slots.turbo_allowed: must be true or false"),
        ({"slots__rtp_bp_min": 10_001}, "de.toml: slots.rtp_bp_min: must be 1 to 10000"),
        ({"slots__spin_interval_s": 5}, "de.toml: slots.spin_interval_s: unknown key"),
        (
            {"slots__stake_minor_max": {"GBP": 500}},
            "de.toml: slots.stake_minor_max.GBP: not one of the profile's currencies",
        ),
        ({"slots__stake_minor_max": {"EUR": 0}}, "de.toml: slots.stake_minor_max.EUR: must be 1"),
        (
            {"slots__young_adult": {"age_years_below": 25, "stake_minor_max": {"EUR": 200}}},
            "de.toml: slots.young_adult.stake_minor_max.EUR: 200 is above",
        ),
        (
            {"reality_check__interval_minutes_default": 30},
            "de.toml: reality_check.interval_minutes_default: 30 is outside 60 to 60",
        ),
        (
            {"reality_check__interval_minutes_min": 90},
            "de.toml: reality_check.interval_minutes_min: 90 is above interval_minutes_max 60",
        ),
        ({"time_out__hours_min": 2000}, "de.toml: time_out.hours_min: 2000 is above hours_max"),
        ({"self_exclusion__months_max": 0}, "de.toml: self_exclusion.months_max: must be 1"),
        (
            {"deposit_limits__default_minor": {"yearly": {"EUR": 1}}},
            "de.toml: deposit_limits.default_minor.yearly: unknown key",
        ),
        (
            {"deposit_limits__default_minor": {"monthly": {"USD": 1}}},
            "de.toml: deposit_limits.default_minor.monthly.USD: not one of the profile's",
        ),
        (
            {"limit_changes__increase_cooling_off_hours": -24},
            "de.toml: limit_changes.increase_cooling_off_hours: must be 0 to 8784",
        ),
        ({"limit_changes": 24}, "de.toml: limit_changes: must be a table"),
    ],
)
def test_an_inconsistent_profile_is_refused_naming_file_and_key(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(JurisdictionDefinitionError) as refused:
        parse_profile(example(**changes), where="de.toml")
    assert str(refused.value).startswith(message)


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def shipped_text(profile_id: str) -> str:
    return shipped_jurisdictions().joinpath(f"{profile_id}.toml").read_text(encoding="utf-8")


def test_an_operator_file_replaces_the_shipped_profile_of_its_id_and_adds_new_ones(
    tmp_path: Path,
) -> None:
    write(tmp_path, "ukgc.toml", shipped_text("ukgc").replace("= 2500", "= 3000"))
    write(tmp_path, "ie.toml", shipped_text("mga").replace('"mga"', '"ie"').replace('"MT"', '"IE"'))
    profiles = load_profiles(tmp_path)
    assert profiles["ukgc"].slots.spin_interval_ms_min == 3000
    assert profiles["ie"].regions == ("IE",)
    assert profiles["de"].slots.spin_interval_ms_min == 5000  # the others are the shipped ones


def test_a_file_whose_id_is_not_its_name_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "uk.toml", shipped_text("ukgc"))
    with pytest.raises(JurisdictionDefinitionError, match=r"uk\.toml: id: 'ukgc' is not the file"):
        load_profiles(tmp_path)


def test_a_file_that_is_not_toml_is_refused_naming_it(tmp_path: Path) -> None:
    write(tmp_path, "de.toml", "id = ")
    with pytest.raises(JurisdictionDefinitionError, match=r"de\.toml: not valid TOML"):
        load_profiles(tmp_path)


def test_a_bad_rule_in_an_operator_file_names_that_file(tmp_path: Path) -> None:
    write(tmp_path, "de.toml", shipped_text("de").replace("EUR = 100 }", "USD = 100 }"))
    with pytest.raises(JurisdictionDefinitionError) as refused:
        load_profiles(tmp_path)
    assert str(refused.value).startswith(f"{tmp_path / 'de.toml'}: slots.stake_minor_max.USD")


def test_an_empty_folder_alone_is_refused(tmp_path: Path) -> None:
    with pytest.raises(JurisdictionDefinitionError, match="no jurisdiction profiles"):
        load_profile_folders([tmp_path])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("GB", "expected REGION:PROFILE, got 'GB'"),
        ("GB:", "expected REGION:PROFILE"),
        ("XX:ukgc", "'XX': not an ISO 3166-1 alpha-2 country code"),
        ("US:nj", "US licenses online casinos per state or province; name it (US-XX)"),
        ("CA:on", "CA licenses online casinos per state or province"),
        ("GB:gb", "no jurisdiction profile 'gb'"),
        ("GB:ukgc,gb:mga", "GB is given twice"),
        ("US-QQ:nj", "not an ISO 3166-2 subdivision of US"),
    ],
)
def test_a_bad_licence_map_is_refused(text: str, message: str) -> None:
    with pytest.raises(JurisdictionDefinitionError) as refused:
        parse_licences(text, known_profiles={"ukgc", "mga", "nj", "on"})
    assert str(refused.value).startswith("CROUPIER_LICENCES: ")
    assert message in str(refused.value)


def test_which_profile_applies_to_a_registered_player() -> None:
    registry = JurisdictionProfiles.build(load_profiles(), "GB:ukgc,US-NJ:nj,CA-ON:on,IE:mga")
    assert registry.for_player("GB", None).id == "ukgc"  # type: ignore[union-attr]
    assert registry.for_player("US", "NJ").id == "nj"  # type: ignore[union-attr]
    assert registry.for_player("IE", None).id == "mga"  # type: ignore[union-attr]
    assert registry.for_player("US", "NY") is None
    assert registry.for_player("US", None) is None  # the US without a state licence
    assert registry.for_player("CA", "QC") is None
    assert registry.for_player("DE", None) is None  # shipped, but not licensed here
    assert registry.for_player("MT", None) is None


def test_by_default_every_profile_is_licensed_where_it_is_written_for() -> None:
    registry = JurisdictionProfiles.build(load_profiles(), None)
    assert registry.licences.text() == "CA-ON:on,DE:de,GB:ukgc,MT:mga,US-NJ:nj"
