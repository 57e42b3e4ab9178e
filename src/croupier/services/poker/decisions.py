"""What the table decides on a player's word or in their place: a message as an engine
action (refused, nothing changed, if illegal now), check-or-fold for the absent, and the
cards a deal gives each seat."""

from __future__ import annotations

from croupier.domain.errors import IllegalAction
from croupier.domain.games.holdem import ActionKind, Hand, PlayerAction
from croupier.domain.games.holdem_events import HandShown, HoleCardDealt
from croupier.domain.poker.live_errors import BetOutOfRange

__all__ = ["check_or_fold", "hole_cards", "player_action", "showed"]


def player_action(hand: Hand, seat: int, action: str, amount_minor: int | None) -> PlayerAction:
    """A player's word as an engine action, refused (nothing changed) if illegal now."""
    legal = hand.legal_actions()
    assert legal is not None
    if action == "fold":
        hand.verify_fold(seat)
        return PlayerAction(seat, ActionKind.FOLD)
    if action in ("check", "call"):
        if action == "check" and legal.call_minor:
            raise IllegalAction(f"seat {seat} cannot check: {legal.call_minor} to call")
        if action == "call" and not legal.call_minor:
            raise IllegalAction(f"seat {seat} has nothing to call: check")
        hand.verify_check_or_call(seat)
        return PlayerAction(seat, ActionKind.CHECK_OR_CALL)
    if action in ("bet", "raise"):
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
            raise IllegalAction(f"{action} needs amount_minor, the total bet on this street")
        try:
            hand.verify_bet_or_raise_to(seat, amount_minor)
        except IllegalAction as error:
            raise BetOutOfRange(str(error)) from None
        return PlayerAction(seat, ActionKind.BET_OR_RAISE_TO, amount_minor)
    raise IllegalAction(f"unknown action {action!r}: fold, check, call, bet or raise")


def check_or_fold(hand: Hand, seat: int) -> PlayerAction:
    if hand.can_check_or_call(seat) and not hand.can_fold(seat):
        return PlayerAction(seat, ActionKind.CHECK_OR_CALL)
    return PlayerAction(seat, ActionKind.FOLD)


def hole_cards(hand: Hand) -> dict[int, list[str]]:
    cards: dict[int, list[str]] = {}
    for event in hand.history:
        if isinstance(event, HoleCardDealt):
            cards.setdefault(event.seat, []).append(event.card)
    return cards


def showed(hand: Hand, seat: int) -> bool:
    return any(isinstance(e, HandShown) and e.seat == seat for e in hand.history)
