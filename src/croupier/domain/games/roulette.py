"""European (single-zero) roulette: the wheel, every standard bet, and settlement.

The table layout is 0 above twelve rows of three (``1 2 3``, ``4 5 6`` … ``34 35 36``);
columns run down the table (column 1 is 1, 4, … 34). A bet is valid only where a dealer could
place chips on that layout:

=============  =======================================================  ======
bet            covers                                                   pays
=============  =======================================================  ======
straight       one number, 0–36                                          35:1
split          two numbers side by side or one above the other;          17:1
               also 0-1, 0-2, 0-3
street         a row of three (1-2-3 … 34-35-36)                         11:1
trio           0-1-2 or 0-2-3 (offered: the usual single-zero trios)     11:1
corner         four numbers meeting at one point (1-2-4-5 …)              8:1
first_four     0-1-2-3                                                    8:1
six_line       two adjacent rows (1–6, 4–9 … 31–36)                       5:1
red, black     the 18 red / 18 black numbers                              1:1
odd, even      1–36 by parity (0 is neither)                              1:1
low, high      1–18 / 19–36                                               1:1
dozen          1–12, 13–24 or 25–36                                       2:1
column         a column of twelve                                         2:1
=============  =======================================================  ======

Every bet returns exactly 36/37 of its stake on average (house edge 1/37 ≈ 2.70 %): a bet
covering ``k`` pockets pays ``36/k − 1`` to one. Zero loses every outside bet; la partage and
en prison are not offered (they would change the even-money return).

>>> bet = parse_bet("split", [0, 2], 100)
>>> settle([bet], 2)
[1800]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from croupier.domain.errors import InvalidBet, InvalidInput
from croupier.domain.rng import RngSource

__all__ = [
    "BLACK_NUMBERS",
    "PAYOUT_ODDS",
    "POCKETS",
    "RED_NUMBERS",
    "Bet",
    "BetType",
    "parse_bet",
    "settle",
    "spin",
    "valid_bets",
]

POCKETS: Final = 37
_ROWS: Final = 12
RED_NUMBERS: Final = frozenset({1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36})
BLACK_NUMBERS: Final = frozenset(range(1, POCKETS)) - RED_NUMBERS


class BetType(StrEnum):
    """Every bet on the single-zero table."""

    STRAIGHT = "straight"
    SPLIT = "split"
    STREET = "street"
    TRIO = "trio"
    CORNER = "corner"
    FIRST_FOUR = "first_four"
    SIX_LINE = "six_line"
    RED = "red"
    BLACK = "black"
    ODD = "odd"
    EVEN = "even"
    LOW = "low"
    HIGH = "high"
    DOZEN = "dozen"
    COLUMN = "column"


#: Winnings per unit staked ("35 to 1"); a winning bet returns ``stake * (odds + 1)``.
PAYOUT_ODDS: Final[Mapping[BetType, int]] = MappingProxyType(
    {
        BetType.STRAIGHT: 35,
        BetType.SPLIT: 17,
        BetType.STREET: 11,
        BetType.TRIO: 11,
        BetType.CORNER: 8,
        BetType.FIRST_FOUR: 8,
        BetType.SIX_LINE: 5,
        BetType.RED: 1,
        BetType.BLACK: 1,
        BetType.ODD: 1,
        BetType.EVEN: 1,
        BetType.LOW: 1,
        BetType.HIGH: 1,
        BetType.DOZEN: 2,
        BetType.COLUMN: 2,
    }
)

_OUTSIDE_ONE: Final = frozenset(
    {BetType.RED, BetType.BLACK, BetType.ODD, BetType.EVEN, BetType.LOW, BetType.HIGH}
)
_OUTSIDE_OF_THREE: Final = frozenset({BetType.DOZEN, BetType.COLUMN})


def _row(row: int) -> tuple[int, ...]:
    """Numbers of layout row ``row`` (0-based): 3r+1, 3r+2, 3r+3."""
    return (3 * row + 1, 3 * row + 2, 3 * row + 3)


def _layout() -> dict[BetType, tuple[tuple[int, ...], ...]]:
    """Every valid bet of each type, as ascending tuples of covered pockets, in layout order."""
    numbers = range(1, POCKETS)
    side_by_side = [(n, n + 1) for n in numbers if n % 3 != 0]
    one_above_other = [(n, n + 3) for n in numbers if n + 3 < POCKETS]
    return {
        BetType.STRAIGHT: tuple((n,) for n in range(POCKETS)),
        BetType.SPLIT: ((0, 1), (0, 2), (0, 3), *sorted(side_by_side + one_above_other)),
        BetType.STREET: tuple(_row(r) for r in range(_ROWS)),
        BetType.TRIO: ((0, 1, 2), (0, 2, 3)),
        BetType.CORNER: tuple((n, n + 1, n + 3, n + 4) for n in numbers if n % 3 and n <= 32),
        BetType.FIRST_FOUR: ((0, 1, 2, 3),),
        BetType.SIX_LINE: tuple(_row(r) + _row(r + 1) for r in range(_ROWS - 1)),
        BetType.RED: (tuple(sorted(RED_NUMBERS)),),
        BetType.BLACK: (tuple(sorted(BLACK_NUMBERS)),),
        BetType.ODD: (tuple(range(1, POCKETS, 2)),),
        BetType.EVEN: (tuple(range(2, POCKETS, 2)),),
        BetType.LOW: (tuple(range(1, 19)),),
        BetType.HIGH: (tuple(range(19, POCKETS)),),
        BetType.DOZEN: tuple(tuple(range(12 * d + 1, 12 * d + 13)) for d in range(3)),
        BetType.COLUMN: tuple(tuple(range(c, POCKETS, 3)) for c in (1, 2, 3)),
    }


_VALID_BETS: Final = MappingProxyType(_layout())
_VALID_SETS: Final = MappingProxyType({t: frozenset(bets) for t, bets in _VALID_BETS.items()})
_SIZE: Final = MappingProxyType({t: len(bets[0]) for t, bets in _VALID_BETS.items()})


def valid_bets(bet_type: BetType) -> tuple[tuple[int, ...], ...]:
    """Every bet of ``bet_type`` the layout allows, as ascending tuples of covered pockets."""
    return _VALID_BETS[BetType(bet_type)]


def _check_stake(stake_minor: object) -> int:
    if isinstance(stake_minor, bool) or not isinstance(stake_minor, int):
        raise InvalidBet(f"stake must be an integer of minor units, got {stake_minor!r}")
    if stake_minor <= 0:
        raise InvalidBet(f"stake must be positive, got {stake_minor}")
    return stake_minor


@dataclass(frozen=True)
class Bet:
    """One bet: its type, the pockets it covers (ascending) and the stake in minor units.

    Build bets with :func:`parse_bet`, which also accepts the short forms players use
    (``dozen [2]``, ``red []``); constructing one directly checks the same layout rules.
    """

    type: BetType
    numbers: tuple[int, ...]
    stake_minor: int

    def __post_init__(self) -> None:
        if not isinstance(self.type, BetType):
            raise InvalidBet(f"unknown bet type {self.type!r}")
        if not isinstance(self.numbers, tuple) or self.numbers not in _VALID_SETS[self.type]:
            raise InvalidBet(f"{self.numbers} is not a {self.type} on the layout")
        _check_stake(self.stake_minor)

    @property
    def odds(self) -> int:
        """Winnings per unit staked, e.g. 35 for a straight."""
        return PAYOUT_ODDS[self.type]

    def return_minor(self, pocket: int) -> int:
        """What the bet gives back when ``pocket`` wins: ``stake * (odds + 1)`` or 0."""
        return self.stake_minor * (self.odds + 1) if pocket in self.numbers else 0


def parse_bet(bet_type: str, numbers: Iterable[int], stake_minor: int) -> Bet:
    """Validate a bet against the real layout; raise :class:`InvalidBet` with the reason.

    Inside bets list their numbers in any order. Dozens and columns take ``[1]``, ``[2]`` or
    ``[3]`` (or all twelve numbers); red/black/odd/even/low/high take no numbers.
    """
    try:
        kind = BetType(bet_type)
    except ValueError:
        offered = ", ".join(member.value for member in BetType)
        raise InvalidBet(f"unknown bet type {bet_type!r}; offered: {offered}") from None
    chosen = _check_numbers(numbers)
    _check_stake(stake_minor)
    return Bet(kind, _covered(kind, chosen), stake_minor)


def _check_numbers(numbers: Iterable[int]) -> tuple[int, ...]:
    if isinstance(numbers, str | bytes):
        raise InvalidBet("numbers must be a list of integers")
    try:
        chosen = tuple(numbers)
    except TypeError:
        raise InvalidBet("numbers must be a list of integers") from None
    for number in chosen:
        if isinstance(number, bool) or not isinstance(number, int):
            raise InvalidBet(f"bet numbers must be integers, got {number!r}")
    if len(set(chosen)) != len(chosen):
        raise InvalidBet(f"a number appears twice in {list(chosen)}")
    return tuple(sorted(chosen))


def _covered(kind: BetType, chosen: tuple[int, ...]) -> tuple[int, ...]:
    """The pockets a bet covers, from the player's selection."""
    bets = _VALID_BETS[kind]
    if kind in _OUTSIDE_ONE:
        if chosen in ((), bets[0]):
            return bets[0]
        raise InvalidBet(f"a {kind} bet takes no numbers")
    if kind in _OUTSIDE_OF_THREE:
        if len(chosen) == 1 and 1 <= chosen[0] <= 3:
            return bets[chosen[0] - 1]
        if chosen in _VALID_SETS[kind]:
            return chosen
        raise InvalidBet(f"a {kind} bet takes [1], [2] or [3]")
    if len(chosen) != _SIZE[kind]:
        raise InvalidBet(f"a {kind} bet covers {_SIZE[kind]} numbers, got {len(chosen)}")
    if any(not 0 <= number < POCKETS for number in chosen):
        raise InvalidBet(f"numbers run from 0 to 36, got {list(chosen)}")
    if chosen not in _VALID_SETS[kind]:
        raise InvalidBet(f"{list(chosen)} is not a {kind} on the single-zero layout")
    return chosen


def spin(rng: RngSource) -> int:
    """The winning pocket, 0 to 36: ``uniform(37)`` as croupier-pf-1 prescribes."""
    return rng.uniform(POCKETS)


def settle(bets: Sequence[Bet], pocket: int) -> list[int]:
    """What each bet returns for ``pocket``, in minor units, in the order given (0 = lost)."""
    if isinstance(pocket, bool) or not isinstance(pocket, int) or not 0 <= pocket < POCKETS:
        raise InvalidInput(f"pocket must be an integer from 0 to 36, got {pocket!r}")
    return [bet.return_minor(pocket) for bet in bets]
