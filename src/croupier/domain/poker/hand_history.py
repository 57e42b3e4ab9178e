"""Hand histories of finished hold'em hands: PokerStars-style text and JSON.

Built from a :class:`~croupier.domain.games.holdem.Hand`'s ``history`` events and its
``TableConfig``. Amounts: the JSON keeps integer minor units; the text shows major units with
the currency's exponent (``format_amount``: 150 EUR cents -> ``1.50``) and no currency sign
(the code is in the header), the form poker tools read for play chips. Seats are shown
numbered from 1 (``Seat 1`` is our seat 0), as PokerStars numbers them.

Hole cards: ``Dealt to`` lines name only ``viewer_seat``'s cards, or every player's when
``reveal_all`` (the audit export). Cards shown at showdown are public either way.

Text outline (one hand)::

    PokerStars Hand #<id>:  Hold'em No Limit (0.50/1.00 EUR) - 2026/12/07 01:57:22 UTC
    Table '<table>' 9-max Seat #6 is the button
    Seat 2: alice (100.00 in chips)
    alice: posts small blind 0.50            (then antes, big blind, straddle)
    *** HOLE CARDS ***
    Dealt to alice [Ac Ad]
    carl: raises 2.00 to 3.00                (bets, calls, checks, folds, "and is all-in")
    *** FLOP *** [2c 3c 4c]     *** TURN *** [2c 3c 4c] [5d]     *** RIVER *** [...] [6h]
    Uncalled bet (2.00) returned to carl
    *** SHOW DOWN ***
    alice: shows [Ac Ad]
    carl collected 147.00 from pot           ("from main pot", "from side pot-1")
    *** SUMMARY ***
    Total pot 150.00 | Rake 3.00
    Board [2c 3c 4c 5d 6h]
    Seat 6: carl (button) showed [7h 2s] and won (147.00)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from croupier.domain.errors import GameError
from croupier.domain.games import holdem_events as he
from croupier.domain.games.holdem import Hand, TableConfig
from croupier.domain.money import Currency, Money, format_amount

__all__ = ["HandRecord", "hand_history_json", "hand_history_text", "record_hand"]

JSON_FORMAT = "croupier-hand-history-1"
_STREET_TITLES = {"flop": "Flop", "turn": "Turn", "river": "River"}


@dataclass
class _Player:
    seat: int
    name: str
    stack_minor: int
    roles: tuple[str, ...] = ()  # "button", "small blind", "big blind"
    folded_on: str | None = None
    shown: tuple[str, ...] = ()
    won_minor: int = 0


@dataclass
class HandRecord:
    """A finished hand, replayed: players, action lines in order, pots and rake."""

    hand_id: str
    table_name: str
    played_at: datetime
    config: TableConfig
    currency: Currency
    button_seat: int
    players: dict[int, _Player]
    hole_cards: dict[int, list[str]] = field(default_factory=dict)
    board: list[str] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    pots: list[he.PotAwarded] = field(default_factory=list)
    final_stacks_minor: dict[int, int] = field(default_factory=dict)
    rake_minor: int = 0
    total_pot_minor: int = 0

    def collections(self) -> list[tuple[int, int, str]]:
        """(seat, amount, pot name) lines: per pot when pokerkit's pushes add up to what
        each player won, else one line per winner from "pot"."""
        per_seat: dict[int, int] = {}
        for pot in self.pots:
            for seat, amount in pot.awards_minor:
                per_seat[seat] = per_seat.get(seat, 0) + amount
        won = {seat: p.won_minor for seat, p in self.players.items() if p.won_minor}
        if per_seat == won:
            many = len(self.pots) > 1
            return [
                (seat, amount, _pot_label(pot.pot_index) if many else "pot")
                for pot in self.pots
                for seat, amount in pot.awards_minor
            ]
        return [(seat, amount, "pot") for seat, amount in sorted(won.items())]


def _check_name(name: str) -> str:
    if not name or any(bad in name for bad in (":", "\n", "\r", "[", "(")) or name != name.strip():
        raise GameError(f"a player name in a hand history cannot be {name!r}")
    return name


def _roles(seats: tuple[int, ...]) -> dict[int, tuple[str, ...]]:
    """Summary labels: the button and the blinds (heads-up the button posts the small)."""
    if len(seats) == 2:
        return {seats[1]: ("button", "small blind"), seats[0]: ("big blind",)}
    return {seats[-1]: ("button",), seats[0]: ("small blind",), seats[1]: ("big blind",)}


def _blinds(seats: tuple[int, ...]) -> dict[int, str]:
    """Which blind each seat posts, by deal order (pokerkit posts them in player order)."""
    if len(seats) == 2:
        return {seats[1]: "small blind", seats[0]: "big blind"}
    return {seats[0]: "small blind", seats[1]: "big blind", seats[2]: "straddle"}


class _Replayer:
    """Walks the events once, tracking street bets and stacks, writing action entries."""

    def __init__(self, record: HandRecord) -> None:
        self.record = record
        self.street = "preflop"
        self.seats = tuple(record.players)  # deal order: HandStarted.seats
        self.street_bets: dict[int, int] = {}
        self.stacks = {seat: p.stack_minor for seat, p in record.players.items()}
        self.contributed = dict.fromkeys(record.players, 0)

    def add(self, seat: int | None, action: str, amount: int = 0, to: int = 0) -> None:
        entry: dict[str, Any] = {"street": self.street, "seat": seat, "action": action}
        if amount:
            entry["amount_minor"] = amount
        if to:
            entry["to_minor"] = to
        if seat is not None and action in {"bets", "raises", "calls", "posts"}:
            entry["all_in"] = self.stacks[seat] == 0
        self.record.actions.append(entry)

    def put_in(self, seat: int, amount: int, street_bet: bool = True) -> None:
        self.stacks[seat] -= amount
        self.contributed[seat] += amount
        if street_bet:
            self.street_bets[seat] = self.street_bets.get(seat, 0) + amount

    def close_street(self) -> None:
        """Return an uncalled bet: the top bet above every other bet on this street."""
        self._return_excess(self.street_bets)
        self.street_bets = {}

    def close_hand(self) -> None:
        """Before the pots are pushed: the street's uncalled bet, then whatever a player put
        in beyond everyone else over the hand (an ante others could not match)."""
        self.close_street()
        self._return_excess(self.contributed)

    def _return_excess(self, amounts: dict[int, int]) -> None:
        ranked = sorted(amounts.items(), key=lambda item: -item[1])
        if not ranked:
            return
        top_seat, top = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0
        if top > second:
            self.stacks[top_seat] += top - second
            self.contributed[top_seat] -= top - second
            self.add(top_seat, "uncalled", top - second)

    def apply(self, event: he.HandEvent) -> None:
        record = self.record
        match event:
            case he.AntePosted(seat=seat, amount_minor=amount):
                self.put_in(seat, amount, street_bet=False)
                self.add(seat, "posts", amount, 0)
                record.actions[-1]["blind"] = "ante"
            case he.BlindOrStraddlePosted(seat=seat, amount_minor=amount):
                self.put_in(seat, amount)
                self.add(seat, "posts", amount)
                record.actions[-1]["blind"] = _blinds(self.seats)[seat]
            case he.HoleCardDealt(seat=seat, card=card):
                record.hole_cards.setdefault(seat, []).append(card)
            case he.Folded(seat=seat):
                record.players[seat].folded_on = self.street
                self.add(seat, "folds")
            case he.CheckedOrCalled(seat=seat, amount_minor=amount):
                self.put_in(seat, amount)
                self.add(seat, "calls" if amount else "checks", amount)
            case he.BetOrRaisedTo(seat=seat, amount_minor=total):
                highest = max(self.street_bets.values(), default=0)
                self.put_in(seat, total - self.street_bets.get(seat, 0))
                self.add(seat, "raises" if highest else "bets", total - highest, total)
            case he.BoardDealt(street=street, cards=cards):
                self.close_street()
                self.street = street
                record.board.extend(cards)
                self.add(None, street)
            case he.HandShown(seat=seat, cards=cards):
                record.players[seat].shown = tuple(cards)
            case he.PotAwarded():
                if not record.pots:
                    self.close_hand()
                record.pots.append(event)
            case he.HandEnded(seats=seats, stacks_minor=stacks, rake_minor=rake):
                if not record.pots:
                    self.close_hand()
                record.final_stacks_minor = dict(zip(seats, stacks, strict=True))
                record.rake_minor = rake
                # What each won, from the final stacks: pokerkit hands a lone winner's own
                # bet back outside the pot it pushes, so its push amounts can fall short.
                for seat, final in record.final_stacks_minor.items():
                    record.players[seat].won_minor = final - self.stacks[seat]
                record.total_pot_minor = sum(self.contributed.values())


def record_hand(
    hand: Hand,
    *,
    hand_id: str,
    table_name: str,
    played_at: datetime,
    currency: Currency,
    names: Mapping[int, str],
) -> HandRecord:
    """Replay a finished hand's events into a :class:`HandRecord`."""
    if not hand.is_complete:
        raise GameError("only a finished hand has a hand history")
    started = hand.history[0]
    if not isinstance(started, he.HandStarted):
        raise GameError("a hand history starts with HandStarted")
    roles = _roles(started.seats)
    players = {
        seat: _Player(seat, _check_name(names.get(seat, "")), stack, roles.get(seat, ()))
        for seat, stack in zip(started.seats, started.stacks_minor, strict=True)
    }
    record = HandRecord(
        hand_id, table_name, played_at, hand.config, currency, started.button_seat, players
    )
    replayer = _Replayer(record)
    for event in hand.history[1:]:
        replayer.apply(event)
    return record


def _money(record: HandRecord, amount_minor: int) -> str:
    return format_amount(Money(amount_minor, record.currency))


def _pot_label(index: int) -> str:
    return "main pot" if index == 0 else f"side pot-{index}"


def _action_line(record: HandRecord, entry: dict[str, Any]) -> str:
    name = record.players[entry["seat"]].name if entry["seat"] is not None else ""
    amount = _money(record, entry.get("amount_minor", 0))
    all_in = " and is all-in" if entry.get("all_in") else ""
    match entry["action"]:
        case "posts":
            what = {"ante": "the ante", "small blind": "small blind", "big blind": "big blind"}
            return f"{name}: posts {what.get(entry['blind'], 'straddle')} {amount}{all_in}"
        case "raises":
            return f"{name}: raises {amount} to {_money(record, entry['to_minor'])}{all_in}"
        case "bets" | "calls":
            return f"{name}: {entry['action']} {amount}{all_in}"
        case "uncalled":
            return f"Uncalled bet ({amount}) returned to {name}"
        case _:
            return f"{name}: {entry['action']}"


def _street_line(record: HandRecord, street: str) -> str:
    board = record.board
    if street == "flop":
        return f"*** FLOP *** [{' '.join(board[:3])}]"
    shown, new = (board[:3], board[3]) if street == "turn" else (board[:4], board[4])
    return f"*** {street.upper()} *** [{' '.join(shown)}] [{new}]"


def _header(record: HandRecord) -> list[str]:
    config = record.config
    limit = "No Limit" if config.betting_limit.value == "no-limit" else "Pot Limit"
    stakes = f"{_money(record, config.small_blind_minor)}/{_money(record, config.big_blind_minor)}"
    when = record.played_at.strftime("%Y/%m/%d %H:%M:%S")
    lines = [
        f"PokerStars Hand #{record.hand_id}:  Hold'em {limit} ({stakes} "
        f"{record.currency.code}) - {when} UTC",
        f"Table '{record.table_name}' {config.seat_count}-max "
        f"Seat #{record.button_seat + 1} is the button",
    ]
    for seat in sorted(record.players):
        player = record.players[seat]
        lines.append(
            f"Seat {seat + 1}: {player.name} ({_money(record, player.stack_minor)} in chips)"
        )
    return lines


def _summary_line(record: HandRecord, player: _Player) -> str:
    role = "".join(f" ({label})" for label in player.roles)
    start = f"Seat {player.seat + 1}: {player.name}{role}"
    if player.folded_on is not None:
        when = (
            "before Flop"
            if player.folded_on == "preflop"
            else f"on the {_STREET_TITLES[player.folded_on]}"
        )
        return f"{start} folded {when}"
    won = f"won ({_money(record, player.won_minor)})"
    if player.shown:
        cards = " ".join(player.shown)
        return f"{start} showed [{cards}] and {won if player.won_minor else 'lost'}"
    return (
        f"{start} collected ({_money(record, player.won_minor)})"
        if player.won_minor
        else f"{start} mucked"
    )


def hand_history_text(
    record: HandRecord, *, viewer_seat: int | None = None, reveal_all: bool = False
) -> str:
    """The PokerStars-style text of ``record`` (see the module docstring)."""
    lines = _header(record)
    preflop = [e for e in record.actions if e["street"] == "preflop" and e["action"] == "posts"]
    lines += [_action_line(record, entry) for entry in preflop]
    lines.append("*** HOLE CARDS ***")
    for seat in sorted(record.hole_cards):
        if reveal_all or seat == viewer_seat:
            cards = " ".join(record.hole_cards[seat])
            lines.append(f"Dealt to {record.players[seat].name} [{cards}]")
    for entry in record.actions[len(preflop) :]:
        if entry["seat"] is None:
            lines.append(_street_line(record, entry["action"]))
        else:
            lines.append(_action_line(record, entry))
    shown = [p for p in record.players.values() if p.shown]
    if shown:
        lines.append("*** SHOW DOWN ***")
        lines += [f"{p.name}: shows [{' '.join(p.shown)}]" for p in shown]
    for seat, amount, pot_name in record.collections():
        name = record.players[seat].name
        lines.append(f"{name} collected {_money(record, amount)} from {pot_name}")
    lines += ["*** SUMMARY ***", _total_line(record, record.total_pot_minor)]
    if record.board:
        lines.append(f"Board [{' '.join(record.board)}]")
    lines += [_summary_line(record, record.players[seat]) for seat in sorted(record.players)]
    return "\n".join(lines) + "\n"


def _total_line(record: HandRecord, total_minor: int) -> str:
    parts = [f"Total pot {_money(record, total_minor)}"]
    if len({pot_name for _, _, pot_name in record.collections()}) > 1:
        for pot in record.pots:
            amount = pot.rake_minor + sum(a for _, a in pot.awards_minor)
            label = "Main pot" if pot.pot_index == 0 else f"Side pot-{pot.pot_index}"
            parts.append(f"{label} {_money(record, amount)}.")
    return " ".join(parts) + f" | Rake {_money(record, record.rake_minor)}"


def hand_history_json(
    record: HandRecord, *, viewer_seat: int | None = None, reveal_all: bool = False
) -> dict[str, Any]:
    """The JSON form (minor units), hole cards filtered like the text."""
    config = record.config
    return {
        "format": JSON_FORMAT,
        "hand_id": record.hand_id,
        "table": record.table_name,
        "played_at": record.played_at.isoformat(),
        "currency": record.currency.code,
        "exponent": record.currency.exponent,
        "stakes": {
            "small_blind_minor": config.small_blind_minor,
            "big_blind_minor": config.big_blind_minor,
            "ante_minor": config.ante_minor,
            "straddle_minor": config.straddle_minor,
            "betting_limit": config.betting_limit.value,
        },
        "button_seat": record.button_seat,
        "seats": [
            {"seat": p.seat, "name": p.name, "stack_minor": p.stack_minor, "roles": list(p.roles)}
            for p in sorted(record.players.values(), key=lambda p: p.seat)
        ],
        "hole_cards": {
            str(seat): cards
            for seat, cards in sorted(record.hole_cards.items())
            if reveal_all or seat == viewer_seat or record.players[seat].shown
        },
        "actions": record.actions,
        "board": record.board,
        "pots": [
            {
                "pot_index": p.pot_index,
                "rake_minor": p.rake_minor,
                "awards": [{"seat": s, "amount_minor": a} for s, a in p.awards_minor],
            }
            for p in record.pots
        ],
        "final_stacks_minor": {str(s): v for s, v in sorted(record.final_stacks_minor.items())},
        "rake_minor": record.rake_minor,
    }
