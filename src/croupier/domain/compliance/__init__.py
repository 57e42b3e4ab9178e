"""Compliance as data plus rules: jurisdiction profiles, where licences apply, and the pure
checks the services run before money moves (docs/compliance.md)."""

from __future__ import annotations

from croupier.domain.compliance.geo import Location, check_player_location, geo_decision
from croupier.domain.compliance.licences import LicenceMap, parse_licences
from croupier.domain.compliance.limits import (
    Limit,
    PendingIncrease,
    change_limit,
    confirm_increase,
    effective_limit,
    is_decrease,
)
from croupier.domain.compliance.profile import (
    EXAMPLE as EXAMPLE_PROFILE,
)
from croupier.domain.compliance.profile import (
    GAME_KINDS,
    LIMIT_PERIODS,
    DepositLimitRules,
    KycStage,
    LimitChangeRules,
    Profile,
    RealityCheckRules,
    SlotRules,
    YoungAdultStakes,
    parse_profile,
)
from croupier.domain.compliance.registry import JurisdictionProfiles, default_licences
from croupier.domain.compliance.rules import (
    check_age,
    check_autoplay,
    check_currency_allowed,
    check_game_kind,
    check_reality_check_interval,
    check_self_exclusion_months,
    check_slot_offered,
    check_spin_pace,
    check_stake,
    check_time_out_hours,
    default_deposit_limits,
    kyc_required,
    parse_rtp_bp,
    slot_offered,
    spin_wait_ms,
    stake_cap_minor,
)

__all__ = [
    "EXAMPLE_PROFILE",
    "GAME_KINDS",
    "LIMIT_PERIODS",
    "DepositLimitRules",
    "JurisdictionProfiles",
    "KycStage",
    "LicenceMap",
    "Limit",
    "LimitChangeRules",
    "Location",
    "PendingIncrease",
    "Profile",
    "RealityCheckRules",
    "SlotRules",
    "YoungAdultStakes",
    "change_limit",
    "check_age",
    "check_autoplay",
    "check_currency_allowed",
    "check_game_kind",
    "check_player_location",
    "check_reality_check_interval",
    "check_self_exclusion_months",
    "check_slot_offered",
    "check_spin_pace",
    "check_stake",
    "check_time_out_hours",
    "confirm_increase",
    "default_deposit_limits",
    "default_licences",
    "effective_limit",
    "geo_decision",
    "is_decrease",
    "kyc_required",
    "parse_licences",
    "parse_profile",
    "parse_rtp_bp",
    "slot_offered",
    "spin_wait_ms",
    "stake_cap_minor",
]
