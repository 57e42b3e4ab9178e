"""A cash table's state, folded from its own event stream ``table:<id>``.

The stream is the table's only memory: whoever owns the table (this process today, another
node tomorrow) rebuilds this model by applying every event in order with :meth:`apply`,
and the live table mutates it the same way, after each event is committed. Nothing else
changes it, so the owner's state and the stream cannot drift apart.

A hand is rebuilt from its recorded seeds (the server seed sealed in ``hand.started``) and
its recorded actions. A hand that cannot be rebuilt (its seed cannot be unsealed, an action
no longer replays) is *unplayable*: the table keeps everyone's pre-hand stack and the public
events, which are all the cancelled-hand rule needs (``cash_rules.cancelled_hand_refunds``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from croupier.domain.errors import CroupierError, InvariantBroken
from croupier.domain.fairness import ProvablyFairSource
from croupier.domain.games import holdem_events as he
from croupier.domain.games.holdem import ActionKind, Hand, PlayerAction, Table, TableConfig
from croupier.domain.poker.live_events import hand_event_from_dict

__all__ = ["HandInfo", "LastHand", "TableModel"]

_log = logging.getLogger("croupier.poker")


@dataclass
class HandInfo:
    """What ``hand.started`` recorded: who plays, the commitment, and the sealed seed."""

    hand_id: str
    hand_number: int
    started_seq: int
    seats: tuple[int, ...]
    players: dict[int, str]
    server_seed_hash: str
    client_seed: str
    nonce: int
    server_seed_sealed: str
    public: list[he.HandEvent] = field(default_factory=list)


@dataclass(frozen=True)
class LastHand:
    """A hand once over: its button, and each dealt-in player's stack before and after."""

    hand_id: str
    button_seat: int
    players: dict[int, str]
    starting_minor: dict[int, int]
    final_minor: dict[int, int]


@dataclass
class TableModel:
    """Seats, players, the wait list and the hand of one table, as its events left them."""

    table_id: str
    game_id: str
    currency: str
    config: TableConfig
    escrow_account: str
    table: Table
    head: int = 0
    players: dict[int, str] = field(default_factory=dict)  # seat -> player id
    waiting: list[tuple[str, int]] = field(default_factory=list)  # (player id, buy-in)
    leaving: set[int] = field(default_factory=set)
    hand_number: int = 0
    hand: Hand | None = None  # in progress, or complete but not yet ended on the ledger
    info: HandInfo | None = None
    unplayable: bool = False
    fast_forward: bool = False  # the current hand is skipped: its end is recorded already
    turn_since_ms: int = 0
    time_banks_ms: dict[int, int] = field(default_factory=dict)
    #: The last hand ended or cancelled: what a tournament table reports to its tournament.
    last_hand: LastHand | None = None

    @classmethod
    def opened(cls, data: Mapping[str, Any]) -> TableModel:
        """The model of a table from its first event, ``table.opened``."""
        config = TableConfig.from_dict(data["config"])
        return cls(
            table_id=data["table_id"],
            game_id=data["game_id"],
            currency=data["currency"],
            config=config,
            escrow_account=data["escrow_account"],
            table=Table(config),
            head=1,
        )

    # -- views -------------------------------------------------------------------------------
    def seat_of(self, player_id: str) -> int | None:
        for seat, owner in self.players.items():
            if owner == player_id:
                return seat
        return None

    @property
    def in_hand(self) -> bool:
        return self.info is not None

    def chips(self) -> tuple[list[int], list[int]]:
        """(stacks, bets and pots) of everything on the table: what the escrow holds."""
        hand = self.hand
        if hand is None:  # between hands, or an unplayable hand: pre-hand stacks
            return [state.stack_minor for state in self.table.seats.values()], []
        dealt = set(hand.seats)
        others = [s.stack_minor for seat, s in self.table.seats.items() if seat not in dealt]
        stacks = others + list(hand.stacks_minor().values())
        return stacks, [*hand.bets_minor().values(), *hand.pots_minor()]

    def chips_minor(self) -> int:
        stacks, pots = self.chips()
        return sum(stacks) + sum(pots)

    def eligible_seats(self) -> list[int]:
        """Seats that would be dealt into the next hand."""
        return [
            seat
            for seat, state in self.table.seats.items()
            if state.stack_minor > 0 and not state.sitting_out and seat not in self.leaving
        ]

    # -- folding -----------------------------------------------------------------------------
    def apply(
        self,
        kind: str,
        data: Mapping[str, Any],
        server_seed: str | None = None,
        *,
        replay: bool = True,
    ) -> None:
        """Apply one committed event (``server_seed``: the unsealed seed of ``hand.started``,
        ``None`` if it could not be unsealed). ``replay=False`` on a ``hand.started`` whose
        ``hand.ended`` or ``hand.cancelled`` follows in the stream: the hand is not dealt
        again, its recorded result is taken (a rebuild then costs one engine replay, the
        hand in progress, however long the table's history)."""
        self.head += 1
        if kind == "hand.started":
            self.fast_forward = not replay
        handler = _HANDLERS.get(kind)
        if handler is None:
            raise InvariantBroken(f"table {self.table_id}: unknown event {kind!r}")
        handler(self, data, server_seed)

    def _seated(self, data: Mapping[str, Any], _: str | None) -> None:
        seat = data["seat"]
        self.table.seat_player(seat, data["buy_in_minor"])
        self.players[seat] = data["player_id"]
        self.time_banks_ms[seat] = data["time_bank_ms"]
        self.waiting = [w for w in self.waiting if w[0] != data["player_id"]]

    def _waiting(self, data: Mapping[str, Any], _: str | None) -> None:
        self.waiting.append((data["player_id"], data["buy_in_minor"]))

    def _wait_left(self, data: Mapping[str, Any], _: str | None) -> None:
        self.waiting = [w for w in self.waiting if w[0] != data["player_id"]]

    def _topped_up(self, data: Mapping[str, Any], _: str | None) -> None:
        self.table.add_chips(data["seat"], data["amount_minor"])

    def _sat_out(self, data: Mapping[str, Any], _: str | None) -> None:
        self.table.sit_out(data["seat"], data["sitting_out"])

    def _leaving(self, data: Mapping[str, Any], _: str | None) -> None:
        self.leaving.add(data["seat"])

    def _left(self, data: Mapping[str, Any], _: str | None) -> None:
        seat = data["seat"]
        self.table.remove_player(seat)
        self.players.pop(seat, None)
        self.leaving.discard(seat)
        self.time_banks_ms.pop(seat, None)

    def _hand_started(self, data: Mapping[str, Any], server_seed: str | None) -> None:
        self.hand_number = data["hand_number"]
        self.info = HandInfo(
            hand_id=data["hand_id"],
            hand_number=data["hand_number"],
            started_seq=self.head,
            seats=tuple(data["seats"]),
            players={int(seat): pid for seat, pid in data["players"].items()},
            server_seed_hash=data["server_seed_hash"],
            client_seed=data["client_seed"],
            nonce=data["nonce"],
            server_seed_sealed=data["server_seed_sealed"],
            public=[hand_event_from_dict(item) for item in data["events"]],
        )
        self.turn_since_ms = data["at_ms"]
        if self.fast_forward:
            self._keep_button(data["button_seat"])
            return
        self.unplayable = server_seed is None
        if server_seed is None:
            self._keep_button(data["button_seat"])
            return
        try:
            rng = ProvablyFairSource(server_seed, data["client_seed"], data["nonce"])
            hand = self.table.start_hand(rng)
            if hand.seats != self.info.seats:
                raise InvariantBroken(f"dealt {hand.seats}, recorded {self.info.seats}")
        except CroupierError as error:
            _log.error("table %s: hand %s does not deal again: %s", self.table_id, data, error)
            self._make_unplayable(data["button_seat"])
            return
        self.hand = hand

    def _hand_acted(self, data: Mapping[str, Any], _: str | None) -> None:
        info = self._info()
        info.public += [hand_event_from_dict(item) for item in data["events"]]
        self.turn_since_ms = data["at_ms"]
        seat = data["seat"]
        if "time_bank_ms" in data:
            self.time_banks_ms[seat] = data["time_bank_ms"]
        if self.hand is None:
            return  # unplayable: the public events are kept for the refunds
        action = PlayerAction(seat, ActionKind(data["action"]), data.get("amount_minor"))
        try:
            self.hand.apply(action)
        except CroupierError as error:
            _log.error("table %s: action %s does not replay: %s", self.table_id, data, error)
            self._make_unplayable(self.hand.button_seat)

    def _hand_ended(self, data: Mapping[str, Any], _: str | None) -> None:
        final = {int(seat): stack for seat, stack in data["stacks_minor"].items()}
        self.last_hand = self._last_hand(final)
        if self.fast_forward:
            self._take_recorded_stacks(data["stacks_minor"])
            return
        hand = self.hand
        if hand is None or not hand.is_complete:
            raise InvariantBroken(f"table {self.table_id}: hand.ended for a hand not finished")
        self.hand, self.info, self.unplayable = None, None, False
        recorded = data["stacks_minor"]
        for seat, state in self.table.seats.items():  # settles the finished hand
            if recorded.get(str(seat), state.stack_minor) != state.stack_minor:
                raise InvariantBroken(f"table {self.table_id}: seat {seat}'s stack differs")

    def _hand_cancelled(self, data: Mapping[str, Any], _: str | None) -> None:
        info = self._info()
        self.last_hand = self._last_hand(None)  # everyone is back to the pre-hand stack
        button = info.public[0].button_seat if isinstance(info.public[0], he.HandStarted) else None
        self._make_unplayable(button)
        self.hand, self.info, self.unplayable, self.fast_forward = None, None, False, False

    def _blinds(self, data: Mapping[str, Any], _: str | None) -> None:
        """A tournament level: new blinds and antes from the next hand on."""
        self.config = TableConfig.from_dict(data["config"])
        saved = self.table.to_dict()
        saved["config"] = data["config"]
        self.table = Table.from_dict(saved)

    def _last_hand(self, final: dict[int, int] | None) -> LastHand:
        info = self._info()
        started = info.public[0]
        if not isinstance(started, he.HandStarted):
            raise InvariantBroken(f"table {self.table_id}: a hand without its start")
        starting = dict(zip(started.seats, started.stacks_minor, strict=True))
        return LastHand(
            info.hand_id, started.button_seat, dict(info.players), starting, final or starting
        )

    def _take_recorded_stacks(self, stacks_minor: Mapping[str, int]) -> None:
        saved = self.table.to_dict()
        for item in saved["seats"]:
            item["stack_minor"] = stacks_minor.get(str(item["seat"]), item["stack_minor"])
        self.table = Table.from_dict(saved)
        self.hand, self.info, self.unplayable, self.fast_forward = None, None, False, False

    def _info(self) -> HandInfo:
        if self.info is None:
            raise InvariantBroken(f"table {self.table_id}: a hand event with no hand started")
        return self.info

    def _make_unplayable(self, button_seat: int | None) -> None:
        """Forget the hand: every dealt-in seat keeps its pre-hand stack (the table counts a
        hand's result only once it is complete)."""
        self.unplayable, self.hand = True, None
        self._keep_button(button_seat)

    def _keep_button(self, button_seat: int | None) -> None:
        saved = self.table.to_dict()  # pre-hand stacks: an unfinished hand is not counted
        saved["hand"], saved["button_seat"] = None, button_seat
        self.table = Table.from_dict(saved)


_HANDLERS = {
    "table.seated": TableModel._seated,
    "table.waiting": TableModel._waiting,
    "table.wait_left": TableModel._wait_left,
    "table.topped_up": TableModel._topped_up,
    "table.sat_out": TableModel._sat_out,
    "table.leaving": TableModel._leaving,
    "table.left": TableModel._left,
    "hand.started": TableModel._hand_started,
    "hand.acted": TableModel._hand_acted,
    "hand.ended": TableModel._hand_ended,
    "hand.cancelled": TableModel._hand_cancelled,
    "table.blinds": TableModel._blinds,
}
