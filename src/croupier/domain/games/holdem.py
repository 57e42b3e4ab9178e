"""Texas hold'em cash table for 2 to 9 seats: the public API of the poker domain.

Built on pokerkit for the betting rules, side pots and showdown (see ``holdem_engine``), with
our own provably-fair deck. Nothing else in Croupier imports pokerkit; use these names::

    table = Table(TableConfig(small_blind_minor=50, big_blind_minor=100), {0: 10_000, 3: 8_000})
    hand = table.start_hand(rng)              # shuffles one canonical deck with rng, deals
    hand.legal_actions()                      # who is to act, call amount, min/max raise-to
    hand.bet_or_raise_to(hand.to_act, 300)    # or check_or_call(seat) / fold(seat)
    hand.result                               # per-seat net and rake once complete

Button rule (a simplified moving button, no dead button): the button moves to the next seat
clockwise (higher seat number, wrapping) that is dealt in; the two seats dealt in after it post
the blinds (heads-up, the button posts the small blind). Seats that are empty, sitting out or
have no chips are skipped, so a player who missed a blind simply plays on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from croupier.domain.errors import GameError, IllegalAction
from croupier.domain.games.holdem_config import BettingLimit, TableConfig
from croupier.domain.games.holdem_events import (
    AntePosted,
    BetOrRaisedTo,
    BlindOrStraddlePosted,
    BoardDealt,
    CardBurned,
    CheckedOrCalled,
    Folded,
    HandEnded,
    HandEvent,
    HandMucked,
    HandShown,
    HandStarted,
    HoleCardDealt,
    PotAwarded,
)
from croupier.domain.games.holdem_hand import (
    ActionKind,
    Hand,
    HandResult,
    LegalActions,
    PlayerAction,
)
from croupier.domain.rng import RngSource

__all__ = [
    "ActionKind",
    "AntePosted",
    "BetOrRaisedTo",
    "BettingLimit",
    "BlindOrStraddlePosted",
    "BoardDealt",
    "CardBurned",
    "CheckedOrCalled",
    "Folded",
    "Hand",
    "HandEnded",
    "HandEvent",
    "HandMucked",
    "HandResult",
    "HandShown",
    "HandStarted",
    "HoleCardDealt",
    "LegalActions",
    "PlayerAction",
    "PotAwarded",
    "SeatState",
    "Table",
    "TableConfig",
    "deal_order",
]

TABLE_FORMAT = "croupier-holdem-table-1"


@dataclass(frozen=True)
class SeatState:
    """An occupied seat: chips behind and whether the player sits out."""

    stack_minor: int
    sitting_out: bool = False


def deal_order(eligible_seats: list[int], previous_button: int | None) -> tuple[int, ...]:
    """The seats of the next hand in deal order, the new button last.

    The new button is the first eligible seat clockwise after ``previous_button`` (the lowest
    eligible seat for a table's first hand).

    >>> deal_order([1, 4, 7], None)
    (4, 7, 1)
    >>> deal_order([1, 4, 7], 4)
    (1, 4, 7)
    >>> deal_order([1, 4, 7], 8)
    (4, 7, 1)
    """
    seats = sorted(eligible_seats)
    if previous_button is None:
        button_position = 0
    else:
        later = [position for position, seat in enumerate(seats) if seat > previous_button]
        button_position = later[0] if later else 0
    start = button_position + 1
    return tuple(seats[start:] + seats[:start])


def _check_stack(stack_minor: object) -> int:
    if isinstance(stack_minor, bool) or not isinstance(stack_minor, int) or stack_minor < 0:
        raise GameError(f"a stack is a non-negative integer of minor units, got {stack_minor!r}")
    return stack_minor


class Table:
    """Seats, stacks and the button between hands; deals hands one at a time."""

    def __init__(
        self,
        config: TableConfig,
        stacks_minor: Mapping[int, int] | None = None,
        button_seat: int | None = None,
    ) -> None:
        """``stacks_minor`` maps seat number (0 to ``seat_count - 1``) to chips; ``button_seat``
        is the previous hand's button (``None`` for a new table)."""
        self.config = config
        self._seats: dict[int, SeatState] = {}
        self._button_seat = button_seat
        self._hand: Hand | None = None
        self._hand_settled = True
        for seat, stack in (stacks_minor or {}).items():
            self.seat_player(seat, stack)
        if button_seat is not None:
            self._check_seat_number(button_seat)

    # -- seats -------------------------------------------------------------------------------

    @property
    def seats(self) -> dict[int, SeatState]:
        """Occupied seats (stacks include the result of a finished hand)."""
        self._settle()
        return dict(sorted(self._seats.items()))

    @property
    def button_seat(self) -> int | None:
        """The button of the current or last hand."""
        return self._button_seat

    @property
    def hand(self) -> Hand | None:
        """The current (or last, if complete) hand."""
        return self._hand

    def seat_player(self, seat: int, stack_minor: int) -> None:
        """Seat a player with ``stack_minor`` chips in an empty seat (playing from next hand)."""
        self._check_seat_number(seat)
        if seat in self._seats:
            raise IllegalAction(f"seat {seat} is taken")
        self._seats[seat] = SeatState(_check_stack(stack_minor))

    def remove_player(self, seat: int) -> int:
        """Empty a seat between hands (or when not dealt in); returns the chips to cash out."""
        self._check_not_in_hand(seat)
        stack_minor = self._occupied(seat).stack_minor
        del self._seats[seat]
        return stack_minor

    def add_chips(self, seat: int, amount_minor: int) -> None:
        """Top up a stack; refused while the seat is in a hand."""
        self._check_not_in_hand(seat)
        state = self._occupied(seat)
        self._seats[seat] = replace(
            state, stack_minor=state.stack_minor + _check_stack(amount_minor)
        )

    def sit_out(self, seat: int, sitting_out: bool = True) -> None:
        """Skip (or, with ``False``, deal in again) a seat from the next hand on."""
        self._settle()
        self._seats[seat] = replace(self._occupied(seat), sitting_out=sitting_out)

    # -- hands -------------------------------------------------------------------------------

    def start_hand(self, rng: RngSource) -> Hand:
        """Move the button, shuffle a fresh deck with ``rng`` and deal the next hand."""
        if self._hand is not None and not self._hand.is_complete:
            raise IllegalAction("a hand is in progress")
        self._settle()
        eligible = [
            seat
            for seat, state in self._seats.items()
            if state.stack_minor > 0 and not state.sitting_out
        ]
        if len(eligible) < 2:
            raise IllegalAction(f"a hand needs two players with chips, {len(eligible)} ready")
        order = deal_order(eligible, self._button_seat)
        stacks = [self._seats[seat].stack_minor for seat in order]
        self._hand = Hand.deal(self.config, order, stacks, rng)
        self._hand_settled = False
        self._button_seat = self._hand.button_seat
        return self._hand

    # -- save / resume -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe snapshot; a hand in progress is saved with its deck and actions."""
        hand = self._hand if self._hand is not None and not self._hand.is_complete else None
        self._settle()
        return {
            "format": TABLE_FORMAT,
            "config": self.config.to_dict(),
            "button_seat": self._button_seat,
            "seats": [
                {"seat": seat, "stack_minor": state.stack_minor, "sitting_out": state.sitting_out}
                for seat, state in sorted(self._seats.items())
            ],
            "hand": None if hand is None else hand.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Table:
        """Rebuild a table (and replay its hand in progress) from :meth:`to_dict` output."""
        if not isinstance(data, Mapping) or data.get("format") != TABLE_FORMAT:
            raise GameError(f"not a saved table of format {TABLE_FORMAT!r}")
        try:
            table = cls(TableConfig.from_dict(data["config"]), button_seat=data["button_seat"])
            for item in data["seats"]:
                table.seat_player(item["seat"], item["stack_minor"])
                if item["sitting_out"]:
                    table.sit_out(item["seat"])
            saved_hand = data["hand"]
        except (KeyError, TypeError) as error:
            raise GameError(f"malformed saved table: {error!r}") from None
        if saved_hand is not None:
            table._hand = Hand.from_dict(saved_hand)
            table._hand_settled = False
            table._button_seat = table._hand.button_seat
        return table

    # -- internals ---------------------------------------------------------------------------

    def _settle(self) -> None:
        """Fold a finished hand's final stacks into the seats (once)."""
        hand = self._hand
        if self._hand_settled or hand is None or hand.result is None:
            return
        for seat, stack in zip(hand.seats, hand.result.final_stacks_minor, strict=True):
            if seat in self._seats:
                self._seats[seat] = replace(self._seats[seat], stack_minor=stack)
        self._hand_settled = True

    def _check_seat_number(self, seat: int) -> None:
        if isinstance(seat, bool) or not isinstance(seat, int):
            raise GameError(f"a seat number is an integer, got {seat!r}")
        if not 0 <= seat < self.config.seat_count:
            raise GameError(f"seat {seat} is not between 0 and {self.config.seat_count - 1}")

    def _occupied(self, seat: int) -> SeatState:
        state = self._seats.get(seat)
        if state is None:
            raise IllegalAction(f"seat {seat!r} is empty")
        return state

    def _check_not_in_hand(self, seat: int) -> None:
        self._settle()
        if not self._hand_settled and self._hand is not None and seat in self._hand.seats:
            raise IllegalAction(f"seat {seat} is playing a hand")
