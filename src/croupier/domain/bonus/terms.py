"""Bonus offers and their terms, as staff define them (issue 18, docs/bonuses.md).

An :class:`Offer` is what players may claim: its :class:`OfferTerms` say what it grants and
how it must be wagered, its ``segments`` whom it targets (empty: every eligible player).
:func:`parse_offer` checks a definition from the back-office API and refuses anything
impossible with ``InvalidInput`` naming the field.

>>> offer = parse_offer({"offer_id": "welcome", "name": "Welcome", "kind": "deposit-match",
...     "currency": "EUR", "match_percent": 100, "match_cap_minor": 10000,
...     "wagering_multiple": 10})
>>> offer.terms.weights["slots"], offer.terms.weights["roulette"]
(100, 10)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from croupier.domain.errors import InvalidInput

__all__ = [
    "DEFAULT_WEIGHTS",
    "BonusKind",
    "BonusPolicy",
    "Offer",
    "OfferTerms",
    "WageringBase",
    "parse_offer",
    "policy_refusal",
]


class BonusKind(StrEnum):
    DEPOSIT_MATCH = "deposit-match"  # a % of the next settled deposit, up to a cap
    NO_DEPOSIT = "no-deposit"  # a fixed amount, on claim (or granted by staff)
    #: ``spins`` rounds of ``game_id`` at ``spin_stake_minor``, paid by the house; their
    #: winnings become bonus funds to wager ``wagering_multiple`` times.
    FREE_SPINS = "free-spins"
    #: ``cashback_percent`` of a period's net losses, paid by a scheduled job as cash (or
    #: as a bonus with wagering: ``paid_as``); not claimed.
    CASHBACK = "cashback"


class WageringBase(StrEnum):
    BONUS = "bonus"  # the requirement is multiple × the bonus
    BONUS_AND_DEPOSIT = "bonus+deposit"  # multiple × (bonus + the deposit it matched)


#: How much of a stake counts towards wagering, in percent, per game kind (data: an offer
#: may give its own). A kind not listed counts 0.
DEFAULT_WEIGHTS: Final[Mapping[str, int]] = {
    "slots": 100,
    "roulette": 10,
    "blackjack": 10,
    "holdem": 0,
}
_ID: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}\Z")
_SEGMENTS: Final = frozenset({"new", "active", "vip", "lapsed"})
AMOUNT_MINOR_MAX: Final = 1_000_000_00
EXPIRY_HOURS_MAX: Final = 24 * 365
WAGERING_MULTIPLE_MAX: Final = 100


@dataclass(frozen=True, slots=True)
class OfferTerms:
    kind: BonusKind
    currency: str
    #: no-deposit: the amount granted.
    amount_minor: int = 0
    #: deposit-match: ``match_percent`` of the deposit, at most ``match_cap_minor``.
    match_percent: int = 0
    match_cap_minor: int = 0
    wagering_multiple: int = 0
    wagering_base: WageringBase = WageringBase.BONUS
    #: The largest stake a player may place while the bonus is active (None: no cap).
    max_bet_minor: int | None = None
    #: Hours from the grant after which what is left of the bonus is forfeited.
    expiry_hours: int = 7 * 24
    #: The most bonus funds that become cash at conversion (None: all); the rest is forfeited.
    conversion_max_minor: int | None = None
    weights: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    #: free-spins: the game, how many spins, and the stake of each.
    game_id: str | None = None
    spins: int = 0
    spin_stake_minor: int = 0
    #: cashback: the percent of net losses, over periods of ``period_days`` UTC days, at
    #: most ``cashback_cap_minor`` a period, paid as ``cash`` or ``bonus``.
    cashback_percent: int = 0
    period_days: int = 0
    cashback_cap_minor: int | None = None
    paid_as: str = "cash"


@dataclass(frozen=True, slots=True)
class Offer:
    offer_id: str
    name: str
    terms: OfferTerms
    #: The segments the offer targets; empty: every player eligible for promotions.
    segments: frozenset[str] = frozenset()
    active: bool = True

    def as_json(self) -> dict[str, Any]:
        terms = self.terms
        return {
            "offer_id": self.offer_id,
            "name": self.name,
            "kind": terms.kind.value,
            "currency": terms.currency,
            "amount_minor": terms.amount_minor,
            "match_percent": terms.match_percent,
            "match_cap_minor": terms.match_cap_minor,
            "wagering_multiple": terms.wagering_multiple,
            "wagering_base": terms.wagering_base.value,
            "max_bet_minor": terms.max_bet_minor,
            "expiry_hours": terms.expiry_hours,
            "conversion_max_minor": terms.conversion_max_minor,
            "weights": dict(terms.weights),
            "game_id": terms.game_id,
            "spins": terms.spins,
            "spin_stake_minor": terms.spin_stake_minor,
            "cashback_percent": terms.cashback_percent,
            "period_days": terms.period_days,
            "cashback_cap_minor": terms.cashback_cap_minor,
            "paid_as": terms.paid_as,
            "segments": sorted(self.segments),
            "active": self.active,
        }


@dataclass(frozen=True, slots=True)
class BonusPolicy:
    """What a jurisdiction profile allows (its ``[bonuses]`` table; docs/compliance.md)."""

    allowed: bool = True
    #: The largest requirement as a multiple of the bonus (UKGC: 10 from 2026-01-19).
    wagering_multiple_max: int | None = None


def policy_refusal(terms: OfferTerms, policy: BonusPolicy) -> str | None:
    """Why the policy forbids these terms (``None``: it allows them). A requirement on
    bonus + deposit is capped at grant instead (:func:`~croupier.domain.bonus.requirement`)."""
    if not policy.allowed:
        return "bonuses are not offered under this jurisdiction"
    cap = policy.wagering_multiple_max
    on_bonus = terms.wagering_base is WageringBase.BONUS
    if cap is not None and on_bonus and terms.wagering_multiple > cap:
        return f"wagering above {cap}x the bonus is not allowed under this jurisdiction"
    return None


def _integer(data: Mapping[str, Any], key: str, low: int, high: int, default: int | None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{key} must be an integer from {low} to {high}, got {value!r}")
    return value


def _optional(data: Mapping[str, Any], key: str, low: int, high: int) -> int | None:
    return None if data.get(key) is None else _integer(data, key, low, high, None)


def _weights(data: Mapping[str, Any]) -> dict[str, int]:
    raw = data.get("weights", DEFAULT_WEIGHTS)
    if not isinstance(raw, Mapping) or not raw:
        raise InvalidInput("weights must be an object of game kind -> percent")
    return {str(kind): _integer(raw, kind, 0, 100, None) for kind in raw}


def parse_offer(data: Mapping[str, Any]) -> Offer:
    """A checked offer, or ``InvalidInput`` naming the field."""
    known = {
        *("offer_id", "name", "kind", "currency", "amount_minor", "match_percent"),
        *("match_cap_minor", "wagering_multiple", "wagering_base", "max_bet_minor"),
        *("expiry_hours", "conversion_max_minor", "weights", "segments", "active"),
        *("game_id", "spins", "spin_stake_minor"),
        *("cashback_percent", "period_days", "cashback_cap_minor", "paid_as"),
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidInput(f"unknown field {unknown[0]!r}")
    offer_id, name = data.get("offer_id"), data.get("name")
    if not isinstance(offer_id, str) or not _ID.match(offer_id):
        raise InvalidInput("offer_id must be 1 to 48 of a-z 0-9 - (starting with a letter/digit)")
    if not isinstance(name, str) or not 0 < len(name.strip()) <= 80:
        raise InvalidInput("name must be 1 to 80 characters")
    try:
        kind = BonusKind(str(data.get("kind")))
        base = WageringBase(str(data.get("wagering_base", WageringBase.BONUS.value)))
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    currency = data.get("currency")
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
        raise InvalidInput("currency must be an ISO 4217 code such as EUR")
    segments = data.get("segments", [])
    if not isinstance(segments, list) or not set(segments) <= _SEGMENTS:
        raise InvalidInput(f"segments must be a list of {', '.join(sorted(_SEGMENTS))}")
    deposit = kind is BonusKind.DEPOSIT_MATCH
    spins = kind is BonusKind.FREE_SPINS
    game_id = data.get("game_id") if spins else None
    if spins and (not isinstance(game_id, str) or not _ID.match(game_id)):
        raise InvalidInput("game_id must name the free spins' game (a-z 0-9 -)")
    fixed = kind is BonusKind.NO_DEPOSIT
    cashback = kind is BonusKind.CASHBACK
    paid_as = data.get("paid_as", "cash") if cashback else "cash"
    if paid_as not in ("cash", "bonus"):
        raise InvalidInput("paid_as must be cash or bonus")
    terms = OfferTerms(
        kind=kind,
        currency=currency,
        amount_minor=_integer(data, "amount_minor", 1, AMOUNT_MINOR_MAX, None) if fixed else 0,
        match_percent=_integer(data, "match_percent", 1, 1000, None) if deposit else 0,
        match_cap_minor=_integer(data, "match_cap_minor", 1, AMOUNT_MINOR_MAX, None)
        if deposit
        else 0,
        wagering_multiple=_integer(data, "wagering_multiple", 0, WAGERING_MULTIPLE_MAX, None),
        wagering_base=base,
        max_bet_minor=_optional(data, "max_bet_minor", 1, AMOUNT_MINOR_MAX),
        expiry_hours=_integer(data, "expiry_hours", 1, EXPIRY_HOURS_MAX, 7 * 24),
        conversion_max_minor=_optional(data, "conversion_max_minor", 1, AMOUNT_MINOR_MAX),
        weights=_weights(data),
        game_id=game_id,
        spins=_integer(data, "spins", 1, 1000, None) if spins else 0,
        spin_stake_minor=_integer(data, "spin_stake_minor", 1, AMOUNT_MINOR_MAX, None)
        if spins
        else 0,
        cashback_percent=_integer(data, "cashback_percent", 1, 100, None) if cashback else 0,
        period_days=_integer(data, "period_days", 1, 31, 7) if cashback else 0,
        cashback_cap_minor=_optional(data, "cashback_cap_minor", 1, AMOUNT_MINOR_MAX)
        if cashback
        else None,
        paid_as=paid_as,
    )
    if base is WageringBase.BONUS_AND_DEPOSIT and not deposit:
        raise InvalidInput("wagering_base bonus+deposit needs a deposit-match offer")
    active = data.get("active", True)
    if not isinstance(active, bool):
        raise InvalidInput("active must be true or false")
    return Offer(offer_id, name.strip(), terms, frozenset(segments), active)
