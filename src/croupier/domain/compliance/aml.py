"""The AML rules, pure: given a player's money movements and the one that just committed,
which rules does it trip (docs/compliance.md, AML, gives each rule's source).

A rule fires on the movement that *crosses* its line (the deposit that makes the linked sum
reach the threshold, the Nth deposit of the window), not on every one after it: one flag per
crossing, named ``<rule>:<transfer id>``, so a replayed event finds its flag already raised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Final

from croupier.domain.money import currency

__all__ = [
    "AmlRules",
    "Finding",
    "Movement",
    "MovementKind",
    "Rule",
    "evaluate",
]

_MINUTE_MS: Final = 60_000
_HOUR_MS: Final = 60 * _MINUTE_MS


class MovementKind(StrEnum):
    DEPOSIT = "deposit"  # a completed deposit
    WITHDRAWAL = "withdrawal"  # a withdrawal requested (reserved), paid or held
    STAKE = "stake"  # a stake settled from the player's cash


class Rule(StrEnum):
    CDD_THRESHOLD = "cdd-threshold"  # single or linked payments at least the CDD threshold
    DEPOSIT_VELOCITY = "deposit-velocity"  # N deposits within M minutes
    LITTLE_PLAY = "little-play"  # a withdrawal after deposits barely played
    CLOSED_LOOP = "closed-loop"  # a withdrawal to a method never deposited with


@dataclass(frozen=True, slots=True)
class Movement:
    kind: MovementKind
    transfer_id: str
    amount_minor: int
    currency: str
    at_ms: int
    #: The ledger's order (the transfer's seq): what "before" means.
    seq: int
    #: The payment method (None where payment methods are not modelled: see ``closed-loop``).
    method: str | None = None


@dataclass(frozen=True, slots=True)
class AmlRules:
    #: Per currency, in major units (``"*"``: any other currency): single or linked
    #: payments of at least this need customer due diligence.
    cdd_threshold: Mapping[str, Decimal] = field(default_factory=lambda: {"*": Decimal("2000.00")})
    #: Payments of one kind within this many hours are linked (summed).
    linked_hours: int = 24
    #: ``velocity_deposits`` deposits within ``velocity_minutes`` minutes.
    velocity_deposits: int = 5
    velocity_minutes: int = 60
    #: A withdrawal when less than this percentage of the deposits since the previous
    #: withdrawal (within ``little_play_hours``) was staked.
    little_play_percent: int = 50
    little_play_hours: int = 72

    def cdd_threshold_minor(self, code: str) -> int | None:
        """The threshold in ``code``'s minor units (None: no threshold for it).

        >>> AmlRules().cdd_threshold_minor("EUR"), AmlRules().cdd_threshold_minor("JPY")
        (200000, 2000)
        """
        amount = self.cdd_threshold.get(code, self.cdd_threshold.get("*"))
        return None if amount is None else int(amount.scaleb(currency(code).exponent))


@dataclass(frozen=True, slots=True)
class Finding:
    rule: Rule
    trigger: Movement
    detail: Mapping[str, object]

    @property
    def flag_id(self) -> str:
        return f"{self.rule}:{self.trigger.transfer_id}"


def evaluate(trigger: Movement, history: Sequence[Movement], rules: AmlRules) -> list[Finding]:
    """The rules ``trigger`` trips, given the player's ``history`` (any order; it may hold the
    trigger itself, and movements after it, which are ignored)."""
    before = [m for m in history if m.seq < trigger.seq]
    findings: list[Finding] = []
    if trigger.kind is MovementKind.STAKE:
        return findings
    cdd = _cdd_threshold(trigger, before, rules)
    if cdd is not None:
        findings.append(cdd)
    if trigger.kind is MovementKind.DEPOSIT:
        velocity = _velocity(trigger, before, rules)
        if velocity is not None:
            findings.append(velocity)
    else:
        little = _little_play(trigger, before, rules)
        if little is not None:
            findings.append(little)
        loop = _closed_loop(trigger, before)
        if loop is not None:
            findings.append(loop)
    return findings


def _cdd_threshold(trigger: Movement, before: list[Movement], rules: AmlRules) -> Finding | None:
    threshold = rules.cdd_threshold_minor(trigger.currency)
    if threshold is None:
        return None
    since = trigger.at_ms - rules.linked_hours * _HOUR_MS
    linked = sum(
        m.amount_minor
        for m in before
        if m.kind is trigger.kind and m.currency == trigger.currency and m.at_ms > since
    )
    if linked >= threshold or linked + trigger.amount_minor < threshold:
        return None  # already crossed (and flagged then), or not reached
    detail: dict[str, object] = {
        "kind": trigger.kind.value,
        "threshold_minor": threshold,
        "linked_minor": linked + trigger.amount_minor,
        "linked_hours": rules.linked_hours,
        "single": linked == 0,
    }
    return Finding(Rule.CDD_THRESHOLD, trigger, detail)


def _velocity(trigger: Movement, before: list[Movement], rules: AmlRules) -> Finding | None:
    since = trigger.at_ms - rules.velocity_minutes * _MINUTE_MS
    earlier = sum(1 for m in before if m.kind is MovementKind.DEPOSIT and m.at_ms > since)
    if earlier + 1 != rules.velocity_deposits:
        return None  # one flag per crossing: the Nth deposit of the window
    detail = {"deposits": earlier + 1, "minutes": rules.velocity_minutes}
    return Finding(Rule.DEPOSIT_VELOCITY, trigger, detail)


def _little_play(trigger: Movement, before: list[Movement], rules: AmlRules) -> Finding | None:
    since = trigger.at_ms - rules.little_play_hours * _HOUR_MS
    previous = [m.at_ms for m in before if m.kind is MovementKind.WITHDRAWAL]
    if previous:
        since = max(since, *previous)
    window = [m for m in before if m.at_ms >= since and m.currency == trigger.currency]
    deposited = sum(m.amount_minor for m in window if m.kind is MovementKind.DEPOSIT)
    staked = sum(m.amount_minor for m in window if m.kind is MovementKind.STAKE)
    if deposited == 0 or staked * 100 >= deposited * rules.little_play_percent:
        return None
    detail = {
        "deposited_minor": deposited,
        "staked_minor": staked,
        "percent_min": rules.little_play_percent,
        "hours": rules.little_play_hours,
    }
    return Finding(Rule.LITTLE_PLAY, trigger, detail)


def _closed_loop(trigger: Movement, before: list[Movement]) -> Finding | None:
    """Money goes back where it came from. Croupier has one payment provider and no payment
    methods yet: a withdrawal by a player who never deposited (money from adjustments or
    bonuses alone) is flagged, and, once movements carry a method, one to a method never
    deposited with. Refusing such a withdrawal outright belongs to the payment methods."""
    deposits = [m for m in before if m.kind is MovementKind.DEPOSIT]
    if not deposits:
        return Finding(Rule.CLOSED_LOOP, trigger, {"deposited_methods": [], "why": "no deposit"})
    methods = sorted({m.method for m in deposits if m.method is not None})
    if trigger.method is None or not methods or trigger.method in methods:
        return None
    detail = {"deposited_methods": methods, "method": trigger.method, "why": "another method"}
    return Finding(Rule.CLOSED_LOOP, trigger, detail)
