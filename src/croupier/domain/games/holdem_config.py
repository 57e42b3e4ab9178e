"""The rule set of one hold'em table: stakes, betting limit and rake, as checked data.

A ``TableConfig`` is usually read from ``games/holdem-*.toml`` (see :meth:`TableConfig.from_dict`)
and is immutable: a table that changes stakes gets a new config between hands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from croupier.domain.errors import GameDefinitionError

__all__ = ["SEAT_COUNT_MAX", "SEAT_COUNT_MIN", "BettingLimit", "TableConfig"]

SEAT_COUNT_MIN = 2
SEAT_COUNT_MAX = 9
#: A straddle is only posted when at least this many players are dealt in (UTG is then not the
#: button or a blind).
STRADDLE_PLAYERS_MIN = 4
_BASIS_POINTS_MAX = 10_000
#: Buy-in bounds are in big blinds; no table takes more than this many (a bound on input).
BUY_IN_BB_MAX = 1_000
_KEYS = frozenset(
    {
        "small_blind_minor",
        "big_blind_minor",
        "ante_minor",
        "straddle_minor",
        "betting_limit",
        "rake_basis_points",
        "rake_cap_minor",
        "no_flop_no_drop",
        "seat_count",
        "min_buy_in_bb",
        "max_buy_in_bb",
    }
)
#: Descriptive keys a table file may carry that the engine does not read.
_IGNORED_KEYS = frozenset({"id", "kind", "name", "description", "currency"})


class BettingLimit(StrEnum):
    """How much a player may bet or raise to."""

    NO_LIMIT = "no-limit"
    POT_LIMIT = "pot-limit"


def _require_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise GameDefinitionError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


@dataclass(frozen=True)
class TableConfig:
    """Stakes and house rules of a table. All amounts are integer minor units.

    ``straddle_minor`` is a mandatory live straddle posted by the player left of the big blind
    when at least four players are dealt in (0 means no straddle). ``rake_basis_points`` is the
    rake percentage in hundredths of a percent (500 = 5 %); ``rake_cap_minor`` caps the rake of
    one hand (``None`` = no cap); with ``no_flop_no_drop`` a hand that ends before the flop pays
    no rake. A cash player buys in (and tops up to) between ``min_buy_in_bb`` and
    ``max_buy_in_bb`` big blinds (``croupier.domain.poker.cash_rules``).
    """

    small_blind_minor: int
    big_blind_minor: int
    ante_minor: int = 0
    straddle_minor: int = 0
    betting_limit: BettingLimit = BettingLimit.NO_LIMIT
    rake_basis_points: int = 0
    rake_cap_minor: int | None = None
    no_flop_no_drop: bool = True
    seat_count: int = SEAT_COUNT_MAX
    min_buy_in_bb: int = 20
    max_buy_in_bb: int = 100

    def __post_init__(self) -> None:
        small = _require_int("small_blind_minor", self.small_blind_minor, 1)
        big = _require_int("big_blind_minor", self.big_blind_minor, 1)
        if small > big:
            raise GameDefinitionError(
                f"small_blind_minor {small} is larger than big_blind_minor {big}"
            )
        _require_int("ante_minor", self.ante_minor, 0)
        straddle = _require_int("straddle_minor", self.straddle_minor, 0)
        if straddle and straddle <= big:
            raise GameDefinitionError(
                f"straddle_minor {straddle} must be 0 or larger than big_blind_minor {big}"
            )
        if not isinstance(self.betting_limit, BettingLimit):
            raise GameDefinitionError(
                f"betting_limit must be a BettingLimit, got {self.betting_limit!r}"
            )
        basis_points = _require_int("rake_basis_points", self.rake_basis_points, 0)
        if basis_points > _BASIS_POINTS_MAX:
            raise GameDefinitionError(f"rake_basis_points {basis_points} is above 10000 (100 %)")
        if self.rake_cap_minor is not None:
            _require_int("rake_cap_minor", self.rake_cap_minor, 0)
        if not isinstance(self.no_flop_no_drop, bool):
            raise GameDefinitionError(
                f"no_flop_no_drop must be true or false, got {self.no_flop_no_drop!r}"
            )
        seats = _require_int("seat_count", self.seat_count, SEAT_COUNT_MIN)
        if seats > SEAT_COUNT_MAX:
            raise GameDefinitionError(f"seat_count {seats} is above {SEAT_COUNT_MAX}")
        low = _require_int("min_buy_in_bb", self.min_buy_in_bb, 1)
        high = _require_int("max_buy_in_bb", self.max_buy_in_bb, 1)
        if not low <= high <= BUY_IN_BB_MAX:
            raise GameDefinitionError(
                f"buy-in bounds must satisfy 1 <= min_buy_in_bb ({low}) <= max_buy_in_bb "
                f"({high}) <= {BUY_IN_BB_MAX}"
            )

    def rake_for_minor(self, pot_minor: int) -> int:
        """The rake of a hand whose pots total ``pot_minor``, flop seen: floor(pct), then capped.

        >>> TableConfig(1, 2, rake_basis_points=500, rake_cap_minor=300).rake_for_minor(1_999)
        99
        >>> TableConfig(1, 2, rake_basis_points=500, rake_cap_minor=300).rake_for_minor(100_000)
        300
        """
        rake_minor = pot_minor * self.rake_basis_points // _BASIS_POINTS_MAX
        if self.rake_cap_minor is not None:
            rake_minor = min(rake_minor, self.rake_cap_minor)
        return rake_minor

    def to_dict(self) -> dict[str, Any]:
        """A JSON- and TOML-safe dict that :meth:`from_dict` reads back."""
        data: dict[str, Any] = {
            "small_blind_minor": self.small_blind_minor,
            "big_blind_minor": self.big_blind_minor,
            "ante_minor": self.ante_minor,
            "straddle_minor": self.straddle_minor,
            "betting_limit": self.betting_limit.value,
            "rake_basis_points": self.rake_basis_points,
            "no_flop_no_drop": self.no_flop_no_drop,
            "seat_count": self.seat_count,
            "min_buy_in_bb": self.min_buy_in_bb,
            "max_buy_in_bb": self.max_buy_in_bb,
        }
        if self.rake_cap_minor is not None:
            data["rake_cap_minor"] = self.rake_cap_minor
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TableConfig:
        """Read a table rule set (e.g. a parsed ``games/holdem-*.toml``); unknown keys refused."""
        if not isinstance(data, Mapping):
            raise GameDefinitionError(f"a table config is a mapping, got {type(data).__name__}")
        if data.get("kind", "holdem") != "holdem":
            raise GameDefinitionError(f"kind must be 'holdem', got {data.get('kind')!r}")
        unknown = set(data) - _KEYS - _IGNORED_KEYS
        if unknown:
            raise GameDefinitionError(
                f"unknown table config field(s): {', '.join(sorted(unknown))}"
            )
        for required in ("small_blind_minor", "big_blind_minor"):
            if required not in data:
                raise GameDefinitionError(f"missing table config field {required!r}")
        values = {key: data[key] for key in _KEYS if key in data}
        if "betting_limit" in values:
            try:
                values["betting_limit"] = BettingLimit(values["betting_limit"])
            except ValueError:
                allowed = ", ".join(limit.value for limit in BettingLimit)
                raise GameDefinitionError(
                    f"betting_limit must be one of {allowed}, got {values['betting_limit']!r}"
                ) from None
        return cls(**values)
