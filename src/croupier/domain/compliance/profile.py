"""A jurisdiction profile: what one regulator requires of play, as data.

A profile is parsed from one ``jurisdictions/<id>.toml`` mapping (the adapter reads the file;
this module only checks what it holds). Every key is required unless said otherwise, unknown
keys are refused (a misspelt rule must not silently lapse), and each refusal names the file
and the key. Money is integer minor units per currency; durations carry their unit in the key.

>>> profile = parse_profile(EXAMPLE, where="example.toml")
>>> profile.slots.spin_interval_ms_min, profile.slots.stake_minor_max["EUR"]
(5000, 100)
>>> parse_profile({**EXAMPLE, "age_years_min": 15}, where="de.toml")
Traceback (most recent call last):
...
croupier.domain.errors.JurisdictionDefinitionError: de.toml: age_years_min: must be 16 to 25, got 15
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from croupier.domain.bonus.terms import BonusPolicy
from croupier.domain.compliance.regions import parse_region
from croupier.domain.errors import JurisdictionDefinitionError, UnknownCurrency
from croupier.domain.money import currency

__all__ = [
    "EXAMPLE",
    "GAME_KINDS",
    "LIMIT_PERIODS",
    "DepositLimitRules",
    "KycStage",
    "LimitChangeRules",
    "Profile",
    "RealityCheckRules",
    "SlotRules",
    "YoungAdultStakes",
    "parse_profile",
]

#: The game kinds Croupier deals (``kind`` in a game file).
GAME_KINDS: Final = frozenset({"slots", "roulette", "blackjack", "holdem"})
#: The periods a deposit, loss or wager limit runs over.
LIMIT_PERIODS: Final = ("daily", "weekly", "monthly")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}\Z")
_HOURS_MAX: Final = 10 * 365 * 24


class KycStage(StrEnum):
    """What a player may not do before KYC says ``verified``, where the profile says so."""

    DEPOSIT = "deposit"
    PLAY = "play"
    WITHDRAWAL = "withdrawal"


@dataclass(frozen=True, slots=True)
class YoungAdultStakes:
    """A lower slot stake cap for players younger than ``age_years_below`` (UKGC: 18-24)."""

    age_years_below: int
    stake_minor_max: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class SlotRules:
    #: Shortest time from one slot spin's start to the next one's (0: no minimum).
    spin_interval_ms_min: int
    autoplay_allowed: bool
    #: Turbo, quick spin and slam stop: anything that makes a spin look faster.
    turbo_allowed: bool
    #: A slot whose certified RTP is below this (basis points, 8300 = 83 %) is not offered;
    #: ``None``: no minimum.
    rtp_bp_min: int | None
    #: Highest stake of one spin per currency, minor units; a currency absent: no cap.
    stake_minor_max: Mapping[str, int]
    young_adult: YoungAdultStakes | None


@dataclass(frozen=True, slots=True)
class RealityCheckRules:
    interval_minutes_default: int
    interval_minutes_min: int
    interval_minutes_max: int


@dataclass(frozen=True, slots=True)
class DepositLimitRules:
    #: Limits every player starts with, per period then currency (DE: monthly EUR 1,000).
    default_minor: Mapping[str, Mapping[str, int]]
    #: The limit counts deposits at every licensed operator (DE: the LUGAS limit file); this
    #: needs the regulator's central system, which Croupier does not reach: per-operator here.
    cross_operator: bool
    #: The player must be asked to set a limit when registering (UKGC RTS 12A).
    prompt_at_registration: bool


@dataclass(frozen=True, slots=True)
class LimitChangeRules:
    """A decrease always applies at once; an increase (or removal) waits this long."""

    increase_cooling_off_hours: int
    #: After the cooling-off the player must confirm the increase before it applies.
    increase_needs_confirmation: bool


@dataclass(frozen=True, slots=True)
class Profile:
    id: str
    name: str
    #: The regions the profile is written for (``"GB"``, ``"US-NJ"``): the default licences.
    regions: tuple[str, ...]
    age_years_min: int
    kyc_required_before: frozenset[KycStage]
    game_kinds: frozenset[str]
    currencies: tuple[str, ...]
    record_retention_years: int
    slots: SlotRules
    reality_check: RealityCheckRules
    deposit_limits: DepositLimitRules
    limit_changes: LimitChangeRules
    time_out_hours_min: int
    time_out_hours_max: int
    self_exclusion_months_min: int
    self_exclusion_months_max: int
    #: Whether bonuses may be offered, and the largest wagering multiple (``[bonuses]``;
    #: absent: allowed, no cap).
    bonuses: BonusPolicy = field(default_factory=BonusPolicy)


class _Table:
    """One TOML table being read: refuses unknown keys and names ``where: path.key``."""

    def __init__(self, data: object, where: str, path: str = "") -> None:
        self.where, self.path = where, path
        if not isinstance(data, Mapping):
            raise self.error("", "must be a table")
        self.data: Mapping[str, Any] = data

    def error(self, key: str, reason: str) -> JurisdictionDefinitionError:
        name = ".".join(part for part in (self.path, key) if part) or "(file)"
        return JurisdictionDefinitionError(f"{self.where}: {name}: {reason}")

    def only(self, *keys: str) -> None:
        unknown = sorted(set(self.data) - set(keys))
        if unknown:
            raise self.error(unknown[0], f"unknown key (known: {', '.join(keys)})")

    def get(self, key: str) -> Any:
        if key not in self.data:
            raise self.error(key, "required")
        return self.data[key]

    def table(self, key: str) -> _Table:
        path = f"{self.path}.{key}" if self.path else key
        return _Table(self.get(key), self.where, path)

    def optional_table(self, key: str) -> _Table | None:
        return self.table(key) if key in self.data else None

    def integer(self, key: str, low: int, high: int) -> int:
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.error(key, f"must be {low} to {high}, got {value!r}")
        return value

    def boolean(self, key: str) -> bool:
        value = self.get(key)
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, got {value!r}")
        return value

    def text(self, key: str) -> str:
        value = self.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be a non-empty string")
        return value

    def strings(self, key: str, *, allowed: frozenset[str] | None = None) -> tuple[str, ...]:
        value = self.get(key)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(key, "must be a list of strings")
        if len(set(value)) != len(value):
            raise self.error(key, "lists an entry twice")
        for item in value:
            if allowed is not None and item not in allowed:
                raise self.error(key, f"{item!r} is not one of {', '.join(sorted(allowed))}")
        return tuple(value)


def parse_profile(data: Mapping[str, Any], *, where: str) -> Profile:
    """The checked profile in ``data`` (one file's TOML), or ``JurisdictionDefinitionError``
    naming ``where`` and the key."""
    top = _Table(data, where)
    top.only(
        *("id", "name", "regions", "age_years_min", "currencies", "record_retention_years"),
        *("kyc", "games", "slots", "reality_check", "deposit_limits", "limit_changes"),
        *("time_out", "self_exclusion", "bonuses"),
    )
    profile_id = top.text("id")
    if not _ID.match(profile_id):
        raise top.error("id", f"must be lower-case letters, digits and hyphens: {profile_id!r}")
    currencies = _currencies(top)
    kyc, games = top.table("kyc"), top.table("games")
    kyc.only("required_before")
    games.only("kinds")
    time_out, exclusion = top.table("time_out"), top.table("self_exclusion")
    time_out.only("hours_min", "hours_max")
    exclusion.only("months_min", "months_max")
    time_out_range = _ordered(time_out, "hours_min", "hours_max", 1, _HOURS_MAX)
    exclusion_range = _ordered(exclusion, "months_min", "months_max", 1, 1200)
    return Profile(
        id=profile_id,
        name=top.text("name"),
        regions=_regions(top),
        age_years_min=top.integer("age_years_min", 16, 25),
        kyc_required_before=frozenset(
            KycStage(stage) for stage in kyc.strings("required_before", allowed=_KYC_STAGES)
        ),
        game_kinds=frozenset(_non_empty(games, games.strings("kinds", allowed=GAME_KINDS))),
        currencies=currencies,
        record_retention_years=top.integer("record_retention_years", 1, 100),
        slots=_slots(top.table("slots"), currencies),
        reality_check=_reality_check(top.table("reality_check")),
        deposit_limits=_deposit_limits(top.table("deposit_limits"), currencies),
        limit_changes=_limit_changes(top.table("limit_changes")),
        time_out_hours_min=time_out_range[0],
        time_out_hours_max=time_out_range[1],
        self_exclusion_months_min=exclusion_range[0],
        self_exclusion_months_max=exclusion_range[1],
        bonuses=_bonuses(top.optional_table("bonuses")),
    )


def _bonuses(table: _Table | None) -> BonusPolicy:
    if table is None:
        return BonusPolicy()
    table.only("allowed", "wagering_multiple_max")
    cap = None
    if "wagering_multiple_max" in table.data:
        cap = table.integer("wagering_multiple_max", 0, 1000)
    return BonusPolicy(allowed=table.boolean("allowed"), wagering_multiple_max=cap)


_KYC_STAGES: Final = frozenset(stage.value for stage in KycStage)


def _non_empty(table: _Table, items: tuple[str, ...]) -> tuple[str, ...]:
    if not items:
        raise table.error("kinds", "must list at least one game kind")
    return items


def _currencies(top: _Table) -> tuple[str, ...]:
    codes = top.strings("currencies")
    if not codes:
        raise top.error("currencies", "must list at least one currency")
    for code in codes:
        try:
            currency(code)
        except UnknownCurrency:
            raise top.error("currencies", f"{code!r} is not a currency Croupier knows") from None
    return codes


def _regions(top: _Table) -> tuple[str, ...]:
    regions = top.strings("regions")
    if not regions:
        raise top.error("regions", "must list at least one region such as GB or US-NJ")
    for region in regions:
        try:
            country, state = parse_region(region)
        except ValueError as error:
            raise top.error("regions", str(error)) from None
        if region != (country if state is None else f"{country}-{state}"):
            raise top.error("regions", f"{region!r} must be written in upper case")
    return regions


def _ordered(table: _Table, low_key: str, high_key: str, low: int, high: int) -> tuple[int, int]:
    smallest, largest = table.integer(low_key, low, high), table.integer(high_key, low, high)
    if smallest > largest:
        raise table.error(low_key, f"{smallest} is above {high_key} {largest}")
    return smallest, largest


def _amounts(table: _Table, currencies: tuple[str, ...]) -> Mapping[str, int]:
    """A ``{CURRENCY = minor}`` table; every currency must be one the profile allows."""
    amounts = {}
    for code in table.data:
        if code not in currencies:
            raise table.error(code, f"not one of the profile's currencies {list(currencies)}")
        amounts[code] = table.integer(code, 1, 2**62)
    return MappingProxyType(amounts)


def _slots(table: _Table, currencies: tuple[str, ...]) -> SlotRules:
    table.only(
        "spin_interval_ms_min",
        *("autoplay_allowed", "turbo_allowed", "rtp_bp_min", "stake_minor_max", "young_adult"),
    )
    caps = _amounts(table.table("stake_minor_max"), currencies)
    young = table.optional_table("young_adult")
    young_adult = None
    if young is not None:
        young.only("age_years_below", "stake_minor_max")
        young_stakes = young.table("stake_minor_max")
        young_caps = _amounts(young_stakes, currencies)
        for code, cap in young_caps.items():
            if code in caps and cap > caps[code]:
                raise young_stakes.error(code, f"{cap} is above slots.stake_minor_max {caps[code]}")
        young_adult = YoungAdultStakes(young.integer("age_years_below", 17, 30), young_caps)
    rtp = table.data.get("rtp_bp_min")
    return SlotRules(
        spin_interval_ms_min=table.integer("spin_interval_ms_min", 0, 60_000),
        autoplay_allowed=table.boolean("autoplay_allowed"),
        turbo_allowed=table.boolean("turbo_allowed"),
        rtp_bp_min=None if rtp is None else table.integer("rtp_bp_min", 1, 10_000),
        stake_minor_max=caps,
        young_adult=young_adult,
    )


def _reality_check(table: _Table) -> RealityCheckRules:
    table.only("interval_minutes_default", "interval_minutes_min", "interval_minutes_max")
    low, high = _ordered(table, "interval_minutes_min", "interval_minutes_max", 1, 24 * 60)
    default = table.integer("interval_minutes_default", 1, 24 * 60)
    if not low <= default <= high:
        raise table.error("interval_minutes_default", f"{default} is outside {low} to {high}")
    return RealityCheckRules(default, low, high)


def _deposit_limits(table: _Table, currencies: tuple[str, ...]) -> DepositLimitRules:
    table.only("default_minor", "cross_operator", "prompt_at_registration")
    defaults = table.table("default_minor")
    defaults.only(*LIMIT_PERIODS)
    by_period = {}
    for period in LIMIT_PERIODS:
        period_table = defaults.optional_table(period)
        if period_table is not None:
            by_period[period] = _amounts(period_table, currencies)
    return DepositLimitRules(
        default_minor=MappingProxyType(by_period),
        cross_operator=table.boolean("cross_operator"),
        prompt_at_registration=table.boolean("prompt_at_registration"),
    )


def _limit_changes(table: _Table) -> LimitChangeRules:
    table.only("increase_cooling_off_hours", "increase_needs_confirmation")
    return LimitChangeRules(
        increase_cooling_off_hours=table.integer("increase_cooling_off_hours", 0, 24 * 366),
        increase_needs_confirmation=table.boolean("increase_needs_confirmation"),
    )


#: A complete profile mapping, for examples and tests (the DE rules in brief).
EXAMPLE: Final[Mapping[str, Any]] = MappingProxyType(
    {
        "id": "example",
        "name": "Example",
        "regions": ["DE"],
        "age_years_min": 18,
        "currencies": ["EUR"],
        "record_retention_years": 5,
        "kyc": {"required_before": ["deposit", "play", "withdrawal"]},
        "games": {"kinds": ["slots", "holdem"]},
        "slots": {
            "spin_interval_ms_min": 5000,
            "autoplay_allowed": False,
            "turbo_allowed": False,
            "stake_minor_max": {"EUR": 100},
        },
        "reality_check": {
            "interval_minutes_default": 60,
            "interval_minutes_min": 60,
            "interval_minutes_max": 60,
        },
        "deposit_limits": {
            "default_minor": {"monthly": {"EUR": 100_000}},
            "cross_operator": True,
            "prompt_at_registration": True,
        },
        "limit_changes": {"increase_cooling_off_hours": 168, "increase_needs_confirmation": False},
        "time_out": {"hours_min": 24, "hours_max": 1008},
        "self_exclusion": {"months_min": 3, "months_max": 60},
    }
)
