"""One hand of hold'em: player actions in, frozen events out, a result at the end.

A ``Hand`` is fully determined by its config, the seats and stacks dealt in, the shuffled deck
and the list of player actions, which is exactly what :meth:`Hand.to_dict` stores; replaying
that list rebuilds the hand (save/resume, audit, recomputing from the provably-fair stream).

Each action comes as ``verify_x`` (raises :class:`IllegalAction`), ``can_x`` (bool) and ``x``
(verifies, then acts); a refused action changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from croupier.domain.cards import canonical_deck
from croupier.domain.errors import GameError, IllegalAction, InvariantBroken
from croupier.domain.games import holdem_engine as engine
from croupier.domain.games.holdem_config import SEAT_COUNT_MAX, SEAT_COUNT_MIN, TableConfig
from croupier.domain.games.holdem_events import HandEnded, HandEvent, HandStarted
from croupier.domain.rng import RngSource, shuffle

__all__ = ["ActionKind", "Hand", "HandResult", "LegalActions", "PlayerAction"]

HAND_FORMAT = "croupier-holdem-hand-1"
_CANONICAL_DECK = frozenset(canonical_deck())


class ActionKind(StrEnum):
    """What a player did."""

    FOLD = "fold"
    CHECK_OR_CALL = "check-or-call"
    BET_OR_RAISE_TO = "bet-or-raise-to"


@dataclass(frozen=True)
class PlayerAction:
    """One player decision; ``amount_minor`` only for ``BET_OR_RAISE_TO`` (the total bet)."""

    seat: int
    kind: ActionKind
    amount_minor: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, read back by :meth:`from_dict`."""
        data: dict[str, Any] = {"seat": self.seat, "action": self.kind.value}
        if self.amount_minor is not None:
            data["amount_minor"] = self.amount_minor
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlayerAction:
        """Parse one stored action; :class:`GameError` if malformed."""
        try:
            return cls(data["seat"], ActionKind(data["action"]), data.get("amount_minor"))
        except (KeyError, ValueError, TypeError) as error:
            raise GameError(f"malformed stored action {data!r}: {error}") from None


@dataclass(frozen=True)
class LegalActions:
    """What the player to act may do. ``call_minor`` is 0 for a check; the raise bounds are
    totals for the street ("raise to") and ``None`` when no bet or raise is possible."""

    seat: int
    can_fold: bool
    call_minor: int
    min_raise_to_minor: int | None
    max_raise_to_minor: int | None


@dataclass(frozen=True)
class HandResult:
    """The outcome, per seat in deal order. ``net_minor`` = final stack − starting stack."""

    seats: tuple[int, ...]
    starting_stacks_minor: tuple[int, ...]
    final_stacks_minor: tuple[int, ...]
    net_minor: tuple[int, ...]
    rake_minor: int

    def net_for(self, seat: int) -> int:
        """Net win (positive) or loss (negative) of ``seat`` in minor units."""
        return self.net_minor[self.seats.index(seat)]

    def final_stack_for(self, seat: int) -> int:
        """Stack of ``seat`` after the hand."""
        return self.final_stacks_minor[self.seats.index(seat)]


def _check_setup(
    config: TableConfig, seats: Sequence[int], stacks_minor: Sequence[int], deck: Sequence[str]
) -> None:
    if not SEAT_COUNT_MIN <= len(seats) <= SEAT_COUNT_MAX or len(seats) != len(stacks_minor):
        raise GameError(f"a hand needs 2 to 9 seats with one stack each, got {seats!r}")
    for seat in seats:
        if isinstance(seat, bool) or not isinstance(seat, int) or not 0 <= seat < config.seat_count:
            raise GameError(
                f"seat {seat!r} is not a seat of this table (0 to {config.seat_count - 1})"
            )
    if len(set(seats)) != len(seats):
        raise GameError(f"seats {seats!r} repeat a seat")
    for stack in stacks_minor:
        if isinstance(stack, bool) or not isinstance(stack, int) or stack <= 0:
            raise GameError(f"stacks must be positive integers of minor units, got {stack!r}")
    if len(deck) != len(_CANONICAL_DECK) or set(deck) != _CANONICAL_DECK:
        raise GameError("the deck must be one permutation of the 52-card canonical deck")


class Hand:
    """A hand in progress or finished. Build it with :meth:`deal` (or a :class:`Table`)."""

    def __init__(
        self,
        config: TableConfig,
        seats: Sequence[int],
        stacks_minor: Sequence[int],
        deck: Sequence[str],
    ) -> None:
        """``seats``/``stacks_minor`` in deal order (left of the button first, button last);
        ``deck`` is the shuffled deck, dealt from index 0."""
        _check_setup(config, seats, stacks_minor, deck)
        self.config = config
        self.seats: tuple[int, ...] = tuple(seats)
        self.starting_stacks_minor: tuple[int, ...] = tuple(stacks_minor)
        self.deck: tuple[str, ...] = tuple(deck)
        self._state = engine.new_state(config, self.starting_stacks_minor)
        self._actions: list[PlayerAction] = []
        self._events: list[HandEvent] = [
            HandStarted(self.button_seat, self.seats, self.starting_stacks_minor)
        ]
        self._operations_seen = 0
        self._next_card_index = 0
        self._result: HandResult | None = None
        self._advance()

    @classmethod
    def deal(
        cls, config: TableConfig, seats: Sequence[int], stacks_minor: Sequence[int], rng: RngSource
    ) -> Hand:
        """Shuffle one canonical deck with ``rng`` (croupier-pf-1 Fisher–Yates) and deal."""
        deck = canonical_deck()
        shuffle(rng, deck)
        return cls(config, seats, stacks_minor, deck)

    # -- views -------------------------------------------------------------------------------

    @property
    def button_seat(self) -> int:
        """The dealer button (heads-up, the button also posts the small blind)."""
        return self.seats[-1]

    @property
    def is_complete(self) -> bool:
        """True once the pots are pushed and the result is known."""
        return self._result is not None

    @property
    def to_act(self) -> int | None:
        """The seat whose decision the hand waits for, or ``None`` when complete."""
        index = self._state.actor_index
        return None if index is None else self.seats[index]

    @property
    def history(self) -> tuple[HandEvent, ...]:
        """Every event so far, in order (cards included: filter before showing players)."""
        return tuple(self._events)

    @property
    def actions(self) -> tuple[PlayerAction, ...]:
        """The player decisions so far (what a save stores and a replay needs)."""
        return tuple(self._actions)

    @property
    def result(self) -> HandResult | None:
        """The outcome once complete, else ``None``."""
        return self._result

    @property
    def board(self) -> tuple[str, ...]:
        """Community cards dealt so far."""
        return tuple(engine.card_text(card) for card in self._state.get_board_cards(0))

    @property
    def cards_dealt(self) -> int:
        """How many cards of ``deck`` have been used (burns included)."""
        return self._next_card_index

    def hole_cards(self, seat: int) -> tuple[str, ...]:
        """The seat's hole cards (empty once folded or mucked)."""
        return tuple(engine.card_text(card) for card in self._state.hole_cards[self._index(seat)])

    def stacks_minor(self) -> dict[int, int]:
        """Chips behind per seat (not counting chips bet on this street or in the pots)."""
        return dict(zip(self.seats, self._state.stacks, strict=True))

    def bets_minor(self) -> dict[int, int]:
        """Chips each seat has bet on the current street."""
        return dict(zip(self.seats, self._state.bets, strict=True))

    def pots_minor(self) -> tuple[int, ...]:
        """Main pot then side pots, bets of the current street not yet included."""
        return tuple(pot.amount for pot in self._state.pots)

    def legal_actions(self) -> LegalActions | None:
        """The choices of the player to act, ``None`` when nobody is to act."""
        seat = self.to_act
        if seat is None:
            return None
        state = self._state
        return LegalActions(
            seat=seat,
            can_fold=state.can_fold(),
            call_minor=state.checking_or_calling_amount or 0,
            min_raise_to_minor=state.min_completion_betting_or_raising_to_amount,
            max_raise_to_minor=state.max_completion_betting_or_raising_to_amount,
        )

    # -- actions -----------------------------------------------------------------------------

    def verify_fold(self, seat: int) -> None:
        """Raise :class:`IllegalAction` unless ``seat`` may fold now."""
        self._verify_turn(seat)
        if not self._state.can_fold():
            raise IllegalAction(f"seat {seat} cannot fold: nothing to call, checking is free")

    def can_fold(self, seat: int) -> bool:
        """Whether ``seat`` may fold now."""
        return _allowed(self.verify_fold, seat)

    def fold(self, seat: int) -> None:
        """Give up the hand."""
        self.verify_fold(seat)
        self._apply(PlayerAction(seat, ActionKind.FOLD), self._state.fold)

    def verify_check_or_call(self, seat: int) -> None:
        """Raise :class:`IllegalAction` unless ``seat`` may check or call now."""
        self._verify_turn(seat)
        if not self._state.can_check_or_call():
            raise IllegalAction(f"seat {seat} cannot check or call now")

    def can_check_or_call(self, seat: int) -> bool:
        """Whether ``seat`` may check or call now."""
        return _allowed(self.verify_check_or_call, seat)

    def check_or_call(self, seat: int) -> None:
        """Check, or call the current bet (all-in for less when short)."""
        self.verify_check_or_call(seat)
        self._apply(PlayerAction(seat, ActionKind.CHECK_OR_CALL), self._state.check_or_call)

    def verify_bet_or_raise_to(self, seat: int, amount_minor: int) -> None:
        """Raise :class:`IllegalAction` unless ``seat`` may bet or raise to ``amount_minor``."""
        self._verify_turn(seat)
        if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
            raise IllegalAction(f"a bet is an integer of minor units, got {amount_minor!r}")
        state = self._state
        low = state.min_completion_betting_or_raising_to_amount
        high = state.max_completion_betting_or_raising_to_amount
        if low is None or high is None:
            raise IllegalAction(f"seat {seat} cannot bet or raise now (only call or fold)")
        if not low <= amount_minor <= high:
            raise IllegalAction(
                f"seat {seat} cannot bet or raise to {amount_minor}: "
                f"the total must be between {low} and {high}"
            )

    def can_bet_or_raise_to(self, seat: int, amount_minor: int) -> bool:
        """Whether ``seat`` may bet or raise to ``amount_minor`` now."""
        return _allowed(self.verify_bet_or_raise_to, seat, amount_minor)

    def bet_or_raise_to(self, seat: int, amount_minor: int) -> None:
        """Bet, or raise, so that the seat's total bet on this street is ``amount_minor``."""
        self.verify_bet_or_raise_to(seat, amount_minor)
        action = PlayerAction(seat, ActionKind.BET_OR_RAISE_TO, amount_minor)
        self._apply(action, lambda: self._state.complete_bet_or_raise_to(amount_minor))

    def apply(self, action: PlayerAction) -> None:
        """Perform a stored :class:`PlayerAction` (used by replay)."""
        if action.kind is ActionKind.FOLD:
            self.fold(action.seat)
        elif action.kind is ActionKind.CHECK_OR_CALL:
            self.check_or_call(action.seat)
        else:
            if action.amount_minor is None:
                raise IllegalAction("a bet or raise needs amount_minor")
            self.bet_or_raise_to(action.seat, action.amount_minor)

    # -- save / resume -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe snapshot: config, seats, stacks, deck and actions (replayed on load)."""
        return {
            "format": HAND_FORMAT,
            "config": self.config.to_dict(),
            "seats": list(self.seats),
            "stacks_minor": list(self.starting_stacks_minor),
            "deck": list(self.deck),
            "actions": [action.to_dict() for action in self._actions],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Hand:
        """Rebuild a hand by replaying its stored actions; refuses a malformed or illegal save."""
        if not isinstance(data, Mapping) or data.get("format") != HAND_FORMAT:
            raise GameError(f"not a saved hand of format {HAND_FORMAT!r}")
        try:
            config = TableConfig.from_dict(data["config"])
            hand = cls(config, data["seats"], data["stacks_minor"], data["deck"])
            actions = [PlayerAction.from_dict(item) for item in data["actions"]]
        except (KeyError, TypeError) as error:
            raise GameError(f"malformed saved hand: {error!r}") from None
        for number, action in enumerate(actions):
            try:
                hand.apply(action)
            except IllegalAction as error:
                raise IllegalAction(f"saved action {number} does not replay: {error}") from None
        return hand

    # -- internals ---------------------------------------------------------------------------

    def _index(self, seat: int) -> int:
        try:
            return self.seats.index(seat)
        except ValueError:
            raise IllegalAction(f"seat {seat!r} is not dealt in this hand") from None

    def _verify_turn(self, seat: int) -> None:
        to_act = self.to_act
        if to_act is None:
            raise IllegalAction("the hand is over: nobody is to act")
        if seat != to_act:
            raise IllegalAction(f"seat {seat!r} acted out of turn: seat {to_act} is to act")

    def _apply(self, action: PlayerAction, perform: Any) -> None:
        try:
            perform()
        except ValueError as error:
            # Verified just before: pokerkit disagreeing now means our model of it is wrong.
            raise InvariantBroken(
                f"pokerkit refused a verified action {action}: {error}"
            ) from error
        self._actions.append(action)
        self._advance()

    def _advance(self) -> None:
        self._next_card_index = engine.deal_pending(self._state, self.deck, self._next_card_index)
        operations = self._state.operations
        for operation in operations[self._operations_seen :]:
            event = engine.translate(operation, self._state, self.seats, self.deck)
            if event is not None:
                self._events.append(event)
        self._operations_seen = len(operations)
        if self._state.status:
            if self._state.actor_index is None:
                raise InvariantBroken("the hand neither waits for a player nor has ended")
            return
        self._finish()

    def _finish(self) -> None:
        final = tuple(self._state.stacks)
        rake_minor = engine.total_rake_minor(self._state)
        if sum(final) + rake_minor != sum(self.starting_stacks_minor):
            raise InvariantBroken(
                f"chips not conserved: stacks {final} + rake {rake_minor} "
                f"!= starting {self.starting_stacks_minor}"
            )
        net = tuple(
            after - before for after, before in zip(final, self.starting_stacks_minor, strict=True)
        )
        self._result = HandResult(self.seats, self.starting_stacks_minor, final, net, rake_minor)
        self._events.append(HandEnded(self.seats, final, net, rake_minor))


def _allowed(verify: Any, *arguments: Any) -> bool:
    try:
        verify(*arguments)
    except IllegalAction:
        return False
    return True
