"""Blackjack table rules as data: parse and validate one ``games/blackjack-*.toml`` document.

The file is read by :func:`croupier.adapters.game_files.load_game_data`; this module turns the
resulting dict into a frozen :class:`BlackjackRules` and refuses anything malformed with a
:class:`~croupier.domain.errors.GameDefinitionError` that names the offending field.

>>> rules = parse_rules({
...     "id": "bj", "kind": "blackjack", "name": "Demo",
...     "rules": {"decks": 6, "dealer_hits_soft_17": False, "double": "any-two",
...               "double_after_split": True, "split_hands_max": 4, "resplit_aces": False,
...               "hit_split_aces": False, "late_surrender": False, "insurance": True,
...               "dealer_peek": True, "blackjack_pays": "3:2"},
...     "limits": {"currency": "EUR", "stake_min_minor": 100, "stake_max_minor": 50000},
... })
>>> rules.decks, rules.blackjack_pays
(6, (3, 2))
>>> parse_rules(rules.to_data()) == rules
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from croupier.domain.errors import GameDefinitionError

__all__ = ["BlackjackRules", "DoubleOn", "parse_rules"]

_T = TypeVar("_T")
_CURRENCY = re.compile(r"^[A-Z]{3}\Z")
_PAYOUTS = {"3:2": (3, 2), "6:5": (6, 5)}
_RULE_FIELDS = (
    "decks",
    "dealer_hits_soft_17",
    "double",
    "double_after_split",
    "split_hands_max",
    "resplit_aces",
    "hit_split_aces",
    "late_surrender",
    "insurance",
    "dealer_peek",
    "blackjack_pays",
)
#: Upper bound on hands after splitting: keeps every round's card count (and size) bounded.
SPLIT_HANDS_LIMIT = 8
#: Upper bound on a stake: 10^12 minor units, far above any table and well inside a JSON double.
STAKE_LIMIT_MINOR = 10**12


class DoubleOn(Enum):
    """Which two-card hands may double down (totals are the hand's best total)."""

    ANY_TWO = "any-two"
    NINE_TO_ELEVEN = "9-11"
    TEN_TO_ELEVEN = "10-11"


@dataclass(frozen=True, slots=True)
class BlackjackRules:
    """One table's rules. Build with :func:`parse_rules`; every field is already validated."""

    game_id: str
    name: str
    decks: int
    dealer_hits_soft_17: bool
    double_on: DoubleOn
    double_after_split: bool
    #: Most hands a player may hold after splitting; 1 means splitting is not offered.
    split_hands_max: int
    resplit_aces: bool
    hit_split_aces: bool
    late_surrender: bool
    insurance: bool
    dealer_peek: bool
    #: Blackjack payout as (numerator, denominator): (3, 2) or (6, 5).
    blackjack_pays: tuple[int, int]
    currency: str
    stake_min_minor: int
    stake_max_minor: int

    def to_data(self) -> dict[str, Any]:
        """The TOML-shaped, JSON-safe dict this was parsed from (``parse_rules`` inverts it)."""
        numerator, denominator = self.blackjack_pays
        return {
            "id": self.game_id,
            "kind": "blackjack",
            "name": self.name,
            "rules": {
                "decks": self.decks,
                "dealer_hits_soft_17": self.dealer_hits_soft_17,
                "double": self.double_on.value,
                "double_after_split": self.double_after_split,
                "split_hands_max": self.split_hands_max,
                "resplit_aces": self.resplit_aces,
                "hit_split_aces": self.hit_split_aces,
                "late_surrender": self.late_surrender,
                "insurance": self.insurance,
                "dealer_peek": self.dealer_peek,
                "blackjack_pays": f"{numerator}:{denominator}",
            },
            "limits": {
                "currency": self.currency,
                "stake_min_minor": self.stake_min_minor,
                "stake_max_minor": self.stake_max_minor,
            },
        }


def parse_rules(data: Mapping[str, Any]) -> BlackjackRules:
    """Validate a blackjack definition dict; :class:`GameDefinitionError` names the bad field."""
    if not isinstance(data, Mapping):
        raise GameDefinitionError("a blackjack definition must be a table (dict)")
    if data.get("kind") != "blackjack":
        raise GameDefinitionError(f"kind: must be 'blackjack', got {data.get('kind')!r}")
    rules = _table(data, "rules")
    limits = _table(data, "limits")
    unknown = sorted(set(rules) - set(_RULE_FIELDS))
    if unknown:
        raise GameDefinitionError(f"rules.{unknown[0]}: unknown rule")
    stake_min_minor = _integer(limits, "limits.stake_min_minor", 1, STAKE_LIMIT_MINOR)
    stake_max_minor = _integer(limits, "limits.stake_max_minor", 1, STAKE_LIMIT_MINOR)
    if stake_max_minor < stake_min_minor:
        raise GameDefinitionError("limits.stake_max_minor: must be >= limits.stake_min_minor")
    return BlackjackRules(
        game_id=_text(data, "id", "id"),
        name=_text(data, "name", "name"),
        decks=_integer(rules, "rules.decks", 1, 8),
        dealer_hits_soft_17=_flag(rules, "rules.dealer_hits_soft_17"),
        double_on=_choice(rules, "rules.double", {d.value: d for d in DoubleOn}),
        double_after_split=_flag(rules, "rules.double_after_split"),
        split_hands_max=_integer(rules, "rules.split_hands_max", 1, SPLIT_HANDS_LIMIT),
        resplit_aces=_flag(rules, "rules.resplit_aces"),
        hit_split_aces=_flag(rules, "rules.hit_split_aces"),
        late_surrender=_flag(rules, "rules.late_surrender"),
        insurance=_flag(rules, "rules.insurance"),
        dealer_peek=_flag(rules, "rules.dealer_peek"),
        blackjack_pays=_choice(rules, "rules.blackjack_pays", _PAYOUTS),
        currency=_currency(limits, "limits.currency"),
        stake_min_minor=stake_min_minor,
        stake_max_minor=stake_max_minor,
    )


def _table(data: Mapping[str, Any], field: str) -> Mapping[str, Any]:
    value = data.get(field)
    if not isinstance(value, Mapping):
        raise GameDefinitionError(f"{field}: missing or not a table")
    return value


def _get(table: Mapping[str, Any], path: str) -> Any:
    key = path.rsplit(".", 1)[-1]
    if key not in table:
        raise GameDefinitionError(f"{path}: missing")
    return table[key]


def _integer(table: Mapping[str, Any], path: str, low: int, high: int) -> int:
    value = _get(table, path)
    # bool is an int subclass; `true` is never a count of decks.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise GameDefinitionError(f"{path}: must be an integer {low}..{high}, got {value!r}")
    return value


def _flag(table: Mapping[str, Any], path: str) -> bool:
    value = _get(table, path)
    if not isinstance(value, bool):
        raise GameDefinitionError(f"{path}: must be true or false, got {value!r}")
    return value


def _choice(table: Mapping[str, Any], path: str, options: Mapping[str, _T]) -> _T:
    value = _get(table, path)
    if not isinstance(value, str) or value not in options:
        allowed = ", ".join(repr(option) for option in options)
        raise GameDefinitionError(f"{path}: must be one of {allowed}, got {value!r}")
    return options[value]


def _text(table: Mapping[str, Any], path: str, key: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise GameDefinitionError(f"{path}: must be a non-empty string, got {value!r}")
    return value


def _currency(table: Mapping[str, Any], path: str) -> str:
    value = _get(table, path)
    if not isinstance(value, str) or not _CURRENCY.match(value):
        raise GameDefinitionError(f"{path}: must be an ISO 4217 code like 'EUR', got {value!r}")
    return value
