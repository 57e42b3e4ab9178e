"""The arithmetic of a bonus: how much is granted, what must be wagered, how a stake is
split between cash and bonus funds, where its win goes, and what converts.

**Spending order: cash first, then bonus.** A stake of ``S`` with ``C`` cash and ``B``
bonus funds available takes ``min(S, C)`` from cash and the rest from bonus; a stake above
``C + B`` is refused whole.

**Where the win goes: in the stake's proportions.** Of a win ``W`` on a stake split
``(c, b)``, ``floor(W × b / S)`` is credited to bonus funds and the rest to cash: what cash
staked wins cash (the player can always withdraw it), what bonus staked wins bonus funds
(wagered like the bonus). Rounding favours cash. A jackpot win is cash.

>>> split_stake(100, cash_minor=30, bonus_minor=500)
StakeSplit(cash_minor=30, bonus_minor=70)
>>> split_win(250, StakeSplit(30, 70))
(75, 175)
>>> requirement(bonus_minor=1000, deposit_minor=1000, multiple=10, on_deposit_too=True)
20000
>>> conversion(5000, conversion_max_minor=2000)
(2000, 3000)
"""

from __future__ import annotations

from typing import NamedTuple

from croupier.domain.errors import InvalidInput

__all__ = [
    "ROUND_REASONS",
    "StakeSplit",
    "cashback_amount",
    "cashback_period",
    "contribution",
    "conversion",
    "match_amount",
    "milestone",
    "net_loss",
    "requirement",
    "split_stake",
    "split_win",
]


class StakeSplit(NamedTuple):
    cash_minor: int
    bonus_minor: int

    @property
    def stake_minor(self) -> int:
        return self.cash_minor + self.bonus_minor


def match_amount(deposit_minor: int, percent: int, cap_minor: int) -> int:
    """A deposit match: ``percent`` of the deposit, rounded down, at most ``cap_minor``."""
    if deposit_minor < 0 or percent < 0 or cap_minor < 0:
        raise InvalidInput("a match is of non-negative amounts")
    return min(deposit_minor * percent // 100, cap_minor)


def requirement(
    *,
    bonus_minor: int,
    deposit_minor: int,
    multiple: int,
    on_deposit_too: bool,
    multiple_max: int | None = None,
) -> int:
    """What must be wagered (weighted) before the bonus converts: ``multiple`` × the bonus
    (or × bonus + deposit), capped at ``multiple_max`` × the bonus where a jurisdiction
    caps it (UKGC: 10×)."""
    base = bonus_minor + (deposit_minor if on_deposit_too else 0)
    required = multiple * base
    if multiple_max is not None:
        required = min(required, multiple_max * bonus_minor)
    return required


def contribution(stake_minor: int, weight_percent: int) -> int:
    """How much of a stake counts towards wagering: ``weight_percent`` of it, rounded down."""
    if not 0 <= weight_percent <= 100:
        raise InvalidInput("a contribution weight is 0 to 100 percent")
    return stake_minor * weight_percent // 100


def split_stake(stake_minor: int, *, cash_minor: int, bonus_minor: int) -> StakeSplit:
    """Cash first, then bonus. A stake larger than both together takes all the cash and
    the shortfall from bonus anyway: the ledger then refuses it whole (insufficient funds)."""
    if stake_minor <= 0:
        raise InvalidInput("a stake is positive")
    from_cash = max(0, min(stake_minor, cash_minor))
    return StakeSplit(from_cash, stake_minor - from_cash)


def split_win(win_minor: int, split: StakeSplit) -> tuple[int, int]:
    """(to cash, to bonus): the win in the stake's proportions, rounding in cash's favour."""
    if win_minor <= 0 or split.bonus_minor == 0:
        return max(win_minor, 0), 0
    to_bonus = win_minor * split.bonus_minor // split.stake_minor
    return win_minor - to_bonus, to_bonus


def conversion(bonus_minor: int, conversion_max_minor: int | None) -> tuple[int, int]:
    """(to cash, forfeited) when the wagering is complete."""
    to_cash = (
        bonus_minor if conversion_max_minor is None else min(bonus_minor, conversion_max_minor)
    )
    return to_cash, bonus_minor - to_cash


def milestone(requirement_minor: int, remaining_minor: int) -> int:
    """The quarter of the requirement wagered so far, 0 to 4 (a notable step: a notice)."""
    if requirement_minor <= 0:
        return 4
    done = requirement_minor - max(0, min(remaining_minor, requirement_minor))
    return done * 4 // requirement_minor


#: The reasons of the cash transfers a round makes (its stake, its win, a jackpot, and the
#: bonus engine's moves inside it): what a period's net loss is summed over.
ROUND_REASONS = frozenset(
    {"stake", "win", "jackpot_win", "bonus_stake", "bonus_win", "bonus_free_spin"}
)


def net_loss(signed_cash_moves: list[tuple[str, int]]) -> int:
    """A period's net loss of cash to rounds, from (reason, signed amount) of the cash
    account's transfers: what left it for rounds less what came back (negative: a net win).
    Bonus funds a round spent are not the player's loss.

    >>> net_loss([("stake", -100), ("win", 40), ("deposit", 5000), ("bonus_stake", 30)])
    30
    """
    return -sum(amount for reason, amount in signed_cash_moves if reason in ROUND_REASONS)


def cashback_amount(loss_minor: int, percent: int, cap_minor: int | None) -> int:
    """``percent`` of a net loss, rounded down, at most ``cap_minor``; 0 for a net win."""
    if loss_minor <= 0:
        return 0
    amount = loss_minor * percent // 100
    return amount if cap_minor is None else min(amount, cap_minor)


def cashback_period(day_number: int, period_days: int) -> tuple[int, int, int]:
    """(period index, first day, day after the last) of the last period *completed* before
    day ``day_number`` (days since 1970-01-01, UTC): periods of ``period_days`` from then.

    >>> cashback_period(20_430, 7)
    (2917, 20419, 20426)
    """
    index = day_number // period_days - 1
    return index, index * period_days, (index + 1) * period_days
