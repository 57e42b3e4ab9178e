"""The bonus arithmetic (``croupier.domain.bonus``) against its promises: a stake's split
takes cash first and covers the stake exactly, a win's split loses nothing, money is
conserved over any sequence of rounds, wagering progress never passes its requirement, and
a bonus converts exactly once."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from croupier.domain.bonus import (
    StakeSplit,
    contribution,
    conversion,
    milestone,
    requirement,
    split_stake,
    split_win,
)

amounts = st.integers(min_value=0, max_value=10**12)
stakes = st.integers(min_value=1, max_value=10**9)
weights = st.integers(min_value=0, max_value=100)


@given(stakes, amounts, amounts)
def test_a_stake_takes_cash_first_and_exactly_the_stake(stake: int, cash: int, bonus: int) -> None:
    split = split_stake(stake, cash_minor=cash, bonus_minor=bonus)
    assert split.cash_minor + split.bonus_minor == stake
    assert split.cash_minor == min(stake, cash)
    assert split.bonus_minor == 0 or split.cash_minor == cash  # bonus only once cash is out
    if stake <= cash + bonus:
        assert 0 <= split.bonus_minor <= bonus


@given(amounts, stakes, st.data())
def test_a_win_splits_in_the_stake_s_proportions_and_loses_nothing(
    win: int, stake: int, data: st.DataObject
) -> None:
    from_bonus = data.draw(st.integers(min_value=0, max_value=stake))
    split = StakeSplit(stake - from_bonus, from_bonus)
    to_cash, to_bonus = split_win(win, split)
    assert to_cash + to_bonus == win and to_cash >= 0 and to_bonus >= 0
    assert to_bonus * stake <= win * from_bonus  # rounding never favours the bonus side
    assert win * from_bonus - to_bonus * stake < stake


@given(amounts, st.one_of(st.none(), amounts))
def test_conversion_splits_the_balance_into_cash_and_forfeit(balance: int, cap: int | None) -> None:
    to_cash, forfeited = conversion(balance, cap)
    assert to_cash + forfeited == balance and to_cash >= 0 and forfeited >= 0
    assert cap is None or to_cash <= cap


@given(
    amounts, amounts, st.integers(0, 100), st.booleans(), st.one_of(st.none(), st.integers(0, 50))
)
def test_a_jurisdiction_cap_bounds_the_requirement(
    bonus: int, deposit: int, multiple: int, on_deposit: bool, cap: int | None
) -> None:
    required = requirement(
        bonus_minor=bonus,
        deposit_minor=deposit,
        multiple=multiple,
        on_deposit_too=on_deposit,
        multiple_max=cap,
    )
    assert 0 <= required <= multiple * (bonus + deposit)
    assert cap is None or required <= cap * bonus


rounds = st.lists(st.tuples(stakes, st.integers(min_value=0, max_value=50), weights), max_size=60)


@given(
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=1, max_value=10**6),
    st.integers(min_value=0, max_value=40),
    rounds,
)
def test_money_is_conserved_and_the_bonus_converts_once(
    cash: int, bonus: int, multiple: int, played: list[tuple[int, int, int]]
) -> None:
    """A model of the ledger moves the engine makes: the grant, each round's split, win
    share and wagering, then the conversion when the wagering is complete."""
    promotions, house = -bonus, 0  # the grant came from the promotions account
    total = cash + bonus + promotions + house
    required = requirement(
        bonus_minor=bonus, deposit_minor=0, multiple=multiple, on_deposit_too=False
    )
    remaining, active, conversions, last_step = required, True, 0, 0
    for stake, multiplier, weight in played:
        if not active or stake > cash + bonus:
            continue  # refused whole: nothing moves
        split = split_stake(stake, cash_minor=cash, bonus_minor=bonus)
        win = stake * multiplier // 10
        to_cash, to_bonus = split_win(win, split)
        cash += to_cash - split.cash_minor
        bonus += to_bonus - split.bonus_minor
        house += stake - win
        assert cash >= 0 and bonus >= 0
        remaining = max(0, remaining - contribution(stake, weight))
        step = milestone(required, remaining)
        assert 0 <= required - remaining <= required and step >= last_step
        last_step = step
        if remaining == 0:
            to_cash, forfeited = conversion(bonus, None)
            cash, bonus, promotions = cash + to_cash, 0, promotions + forfeited
            conversions += 1
            active = False
        assert cash + bonus + promotions + house == total
    assert conversions <= 1
    assert conversions == 1 or active
