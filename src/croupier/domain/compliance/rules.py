"""The profile's rules as small pure functions: each takes the profile, the facts and (where
time matters) an injected ``now``, and answers or raises the typed refusal.

>>> from croupier.domain.compliance.profile import EXAMPLE, parse_profile
>>> de = parse_profile(EXAMPLE, where="example")
>>> from datetime import datetime, timedelta, UTC
>>> last = datetime(2026, 1, 1, tzinfo=UTC)
>>> spin_wait_ms(de, last, now=last + timedelta(seconds=3))
2000
>>> check_stake(de, 101, "EUR", age_years=30)
Traceback (most recent call last):
...
croupier.domain.errors.StakeLimit: a slot spin may stake at most 100 EUR minor units here, got 101
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Final

from croupier.domain.accounts.validation import age_years
from croupier.domain.compliance.profile import KycStage, Profile
from croupier.domain.errors import (
    GameNotOffered,
    IllegalAction,
    InvalidInput,
    InvalidRegistration,
    SpinTooFast,
    StakeLimit,
)

__all__ = [
    "check_age",
    "check_autoplay",
    "check_currency_allowed",
    "check_game_kind",
    "check_reality_check_interval",
    "check_self_exclusion_months",
    "check_slot_offered",
    "check_spin_pace",
    "check_stake",
    "check_time_out_hours",
    "default_deposit_limits",
    "kyc_required",
    "parse_rtp_bp",
    "slot_offered",
    "spin_wait_ms",
    "stake_cap_minor",
]

_MILLISECOND: Final = timedelta(milliseconds=1)
_RTP = re.compile(r"^(\d{1,3})(?:\.(\d{1,2}))?%\Z")


# -- game speed ------------------------------------------------------------------------------
def spin_wait_ms(profile: Profile, last_spin_at: datetime | None, now: datetime) -> int:
    """How long, in whole milliseconds, before the next slot spin may start (0: now).

    Elapsed time is floored to the millisecond, so a spin is never let through early; a last
    spin stamped after ``now`` (a clock stepped back) waits one full interval, no more."""
    interval_ms = profile.slots.spin_interval_ms_min
    if last_spin_at is None or interval_ms == 0:
        return 0
    elapsed_ms = max(0, (now - last_spin_at) // _MILLISECOND)
    return max(0, interval_ms - elapsed_ms)


def check_spin_pace(profile: Profile, last_spin_at: datetime | None, now: datetime) -> None:
    """``SpinTooFast`` (``retry_after_s`` rounded up, at least 1) if a spin now is too soon."""
    wait_ms = spin_wait_ms(profile, last_spin_at, now)
    if wait_ms > 0:
        raise SpinTooFast(
            retry_after_s=-(-wait_ms // 1000),
            spin_interval_ms_min=profile.slots.spin_interval_ms_min,
        )


def check_autoplay(profile: Profile) -> None:
    """``IllegalAction`` where the profile forbids slot autoplay (UKGC, DE, Ontario)."""
    if not profile.slots.autoplay_allowed:
        raise IllegalAction(f"autoplay is not allowed under {profile.name}")


# -- stakes and games ------------------------------------------------------------------------
def stake_cap_minor(profile: Profile, currency: str, *, age_years: int) -> int | None:
    """The highest stake of one slot spin in ``currency`` for a player of ``age_years``;
    ``None``: no cap."""
    cap = profile.slots.stake_minor_max.get(currency)
    young = profile.slots.young_adult
    if young is not None and age_years < young.age_years_below:
        young_cap = young.stake_minor_max.get(currency)
        if young_cap is not None:
            cap = young_cap if cap is None else min(cap, young_cap)
    return cap


def check_stake(profile: Profile, stake_minor: int, currency: str, *, age_years: int) -> None:
    """``StakeLimit`` if one slot spin's ``stake_minor`` is over the profile's cap."""
    cap = stake_cap_minor(profile, currency, age_years=age_years)
    if cap is not None and stake_minor > cap:
        raise StakeLimit(
            f"a slot spin may stake at most {cap} {currency} minor units here, got {stake_minor}"
        )


def check_game_kind(profile: Profile, kind: str) -> None:
    """``GameNotOffered`` if the profile does not allow games of ``kind``."""
    if kind not in profile.game_kinds:
        raise GameNotOffered(f"{kind} is not offered under {profile.name}")


def parse_rtp_bp(text: str) -> int:
    """A catalogue RTP (``"94.38%"``) in basis points (9438); ``InvalidInput`` otherwise.

    >>> parse_rtp_bp("83%"), parse_rtp_bp("94.38%"), parse_rtp_bp("97.3%")
    (8300, 9438, 9730)
    """
    match = _RTP.match(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidInput(f"an RTP must be a percentage such as '94.38%', got {text!r}")
    basis_points = int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))
    if basis_points > 10_000:
        raise InvalidInput(f"an RTP above 100% is not a slot's: {text!r}")
    return basis_points


def slot_offered(profile: Profile, rtp_bp: int) -> bool:
    """Whether a slot whose certified RTP (lowest over its stakes) is ``rtp_bp`` may be
    offered under the profile (NJ: at least 83 %)."""
    minimum = profile.slots.rtp_bp_min
    return minimum is None or rtp_bp >= minimum


def check_slot_offered(profile: Profile, game_id: str, rtp_bp: int) -> None:
    """``GameNotOffered`` for a slot below the profile's minimum RTP."""
    if not slot_offered(profile, rtp_bp):
        raise GameNotOffered(f"{game_id} is not offered under {profile.name}")


# -- who may play, in what -------------------------------------------------------------------
def check_age(profile: Profile, date_of_birth: date, today: date) -> None:
    """``InvalidRegistration`` (``date_of_birth``) for a player younger than the profile's
    minimum age on ``today``."""
    if age_years(date_of_birth, today=today) < profile.age_years_min:
        raise InvalidRegistration(
            "date_of_birth", f"players must be at least {profile.age_years_min} here"
        )


def check_currency_allowed(profile: Profile, currency: str) -> None:
    """``InvalidRegistration`` (``currency``) for a currency the profile does not allow."""
    if currency not in profile.currencies:
        raise InvalidRegistration(
            "currency", f"{profile.name} allows {', '.join(profile.currencies)} only"
        )


def kyc_required(profile: Profile, stage: KycStage) -> bool:
    """Whether the player must be KYC-``verified`` before ``stage``."""
    return stage in profile.kyc_required_before


# -- responsible-gambling choices ------------------------------------------------------------
def _within(value: object, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{what} must be a whole number from {low} to {high}, got {value!r}")
    return value


def check_reality_check_interval(profile: Profile, minutes: object) -> int:
    """The player's chosen reality-check interval if within the profile's bounds."""
    rules = profile.reality_check
    return _within(
        minutes, rules.interval_minutes_min, rules.interval_minutes_max, "reality-check minutes"
    )


def check_time_out_hours(profile: Profile, hours: object) -> int:
    """A time-out's length if within the profile's range (``InvalidInput`` otherwise)."""
    return _within(hours, profile.time_out_hours_min, profile.time_out_hours_max, "hours")


def check_self_exclusion_months(profile: Profile, months: object) -> int:
    """A self-exclusion's length if within the profile's range (``InvalidInput`` otherwise)."""
    return _within(
        months, profile.self_exclusion_months_min, profile.self_exclusion_months_max, "months"
    )


def default_deposit_limits(profile: Profile, currency: str) -> Mapping[str, int]:
    """The deposit limits a new player in ``currency`` starts with, by period (DE: monthly
    EUR 1,000 = ``{"monthly": 100000}``); empty where the profile sets none."""
    return {
        period: amounts[currency]
        for period, amounts in profile.deposit_limits.default_minor.items()
        if currency in amounts
    }
