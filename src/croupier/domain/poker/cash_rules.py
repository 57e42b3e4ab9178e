"""The pure rules of a cash table's money: buy-in and top-up bounds, the escrow invariant,
and the refunds of a cancelled hand.

- **Buy-in**: between ``min_buy_in_bb`` and ``max_buy_in_bb`` big blinds of the table's
  ``TableConfig`` (defaults 20 and 100; the shipped tables say 40 and 100).
- **Top-up**: between hands only, at least one minor unit, and the stack after it may not
  exceed the maximum buy-in.
- **Escrow**: the table's escrow account holds exactly every stack plus every chip bet or in
  a pot: ``escrow == sum(stacks) + sum(bets and pots)``, checked at every commit.
- **Cancelled hand** (a hand that cannot resume after a crash): every player gets back
  exactly what they put into this hand (antes, blinds, calls, bets and raises), so their
  stack is what it was before the deal. A hand whose pots were pushed is settled and cannot
  be cancelled.

>>> from croupier.domain.games.holdem import TableConfig
>>> buy_in_bounds_minor(TableConfig(50, 100, min_buy_in_bb=40, max_buy_in_bb=100))
(4000, 10000)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from croupier.domain.errors import IllegalAction, InvariantBroken
from croupier.domain.games import holdem_events as he
from croupier.domain.games.holdem import TableConfig

__all__ = [
    "buy_in_bounds_minor",
    "cancelled_hand_refunds",
    "check_escrow",
    "escrow_balanced",
    "hand_contributions",
    "verify_buy_in",
    "verify_top_up",
]


def buy_in_bounds_minor(config: TableConfig) -> tuple[int, int]:
    """The smallest and largest buy-in, minor units."""
    return (
        config.min_buy_in_bb * config.big_blind_minor,
        config.max_buy_in_bb * config.big_blind_minor,
    )


def _amount(amount_minor: object) -> int:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise IllegalAction(f"an amount is an integer of minor units, got {amount_minor!r}")
    return amount_minor


def verify_buy_in(config: TableConfig, amount_minor: int) -> None:
    """Raise :class:`IllegalAction` unless ``amount_minor`` is a buy-in this table takes."""
    low, high = buy_in_bounds_minor(config)
    if not low <= _amount(amount_minor) <= high:
        raise IllegalAction(
            f"a buy-in at this table is between {low} and {high}, got {amount_minor}"
        )


def verify_top_up(config: TableConfig, stack_minor: int, amount_minor: int, in_hand: bool) -> None:
    """Raise :class:`IllegalAction` unless adding ``amount_minor`` to ``stack_minor`` is
    allowed now (between hands, positive, not above the maximum buy-in)."""
    if in_hand:
        raise IllegalAction("a top-up waits until the hand is over")
    _, high = buy_in_bounds_minor(config)
    if _amount(amount_minor) < 1:
        raise IllegalAction(f"a top-up adds at least one minor unit, got {amount_minor}")
    if stack_minor + amount_minor > high:
        raise IllegalAction(
            f"a top-up may bring the stack to at most {high}, not {stack_minor + amount_minor}"
        )


def escrow_balanced(
    escrow_minor: int, stacks_minor: Iterable[int], in_pots_minor: Iterable[int]
) -> bool:
    """Whether the escrow holds exactly the stacks plus the chips bet or in pots."""
    return escrow_minor == sum(stacks_minor) + sum(in_pots_minor)


def check_escrow(
    escrow_minor: int, stacks_minor: Iterable[int], in_pots_minor: Iterable[int]
) -> None:
    """Stop (``InvariantBroken``) if the escrow does not match the table's chips."""
    stacks, pots = list(stacks_minor), list(in_pots_minor)
    if not escrow_balanced(escrow_minor, stacks, pots):
        raise InvariantBroken(
            f"escrow {escrow_minor} != stacks {sum(stacks)} + bets and pots {sum(pots)}"
        )


def hand_contributions(history: Sequence[he.HandEvent]) -> dict[int, int]:
    """What each dealt-in seat has put into the hand so far (antes, blinds, calls, bets)."""
    started = history[0] if history else None
    if not isinstance(started, he.HandStarted):
        raise IllegalAction("a hand's history starts with HandStarted")
    put_in = dict.fromkeys(started.seats, 0)
    street_bets: dict[int, int] = {}
    for event in history[1:]:
        match event:
            case he.AntePosted(seat=seat, amount_minor=amount):
                put_in[seat] += amount
            case (
                he.BlindOrStraddlePosted(seat=seat, amount_minor=amount)
                | he.CheckedOrCalled(seat=seat, amount_minor=amount)
            ):
                put_in[seat] += amount
                street_bets[seat] = street_bets.get(seat, 0) + amount
            case he.BetOrRaisedTo(seat=seat, amount_minor=total):
                put_in[seat] += total - street_bets.get(seat, 0)
                street_bets[seat] = total
            case he.BoardDealt():
                street_bets = {}
    return put_in


def cancelled_hand_refunds(history: Sequence[he.HandEvent]) -> dict[int, int]:
    """The refund of every dealt-in seat when a hand is cancelled: all it put in."""
    if any(isinstance(event, he.PotAwarded | he.HandEnded) for event in history):
        raise IllegalAction("this hand's pots were pushed: it is settled, not cancellable")
    return hand_contributions(history)
