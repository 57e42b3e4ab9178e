"""Tournament seating: random draw, breaking and balancing tables (TDA rules), the bubble.

Rules followed (Poker TDA Rules, numbered as in 2022 and 2024; docs/poker.md cites each
with its test):

- **Random seating** ("Random Correct Seating", and Rule 10 for broken tables): the first
  seating, late entries and players from a broken table get a random table and seat from
  the ``RngSource``.
- **Breaking** (Rule 10, with our predetermined order): when the players fit in fewer
  tables, the tables with the fewest players break, all at once (nobody moves twice); among
  equals, the highest table number, so table 1 becomes the final table. Each player of a
  broken table, in random order, goes to a random empty seat at the table that then has the
  fewest players (lowest number on ties), which keeps the tables within one of each other.
- **Balancing** (Rule 11 "Balancing Tables and Halting Play"): while the biggest table has
  two or more players more than the smallest, the player **due the big blind next** at the
  biggest table (lowest number on ties: the predetermined procedure of 11-C) moves to the
  **worst position** at the smallest table (11-A): the empty seat that will post the big
  blind soonest, even if that means the big blind twice, and never a seat that would post
  the small blind next hand. We keep every table within one player of the others always
  (the tighter balance 11-D lets the TD choose), not only when three short.

Positions follow the engine's button rule (``holdem.deal_order``: a moving button, no dead
button), so "due the big blind" is computed exactly as the next hand will deal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from croupier.domain.errors import InvariantBroken
from croupier.domain.games.holdem import deal_order
from croupier.domain.rng import RngSource, shuffle

__all__ = [
    "MoveReason",
    "PlayerMove",
    "Rebalanced",
    "TableSeats",
    "balance",
    "big_blind_next",
    "hand_for_hand_starts",
    "hands_until_big_blind",
    "seat_late_entry",
    "seat_randomly",
    "worst_position",
]

_ORBIT_MAX = 20  # hands looked ahead to find when a seat posts the big blind (9 seats max)


@dataclass(frozen=True)
class TableSeats:
    """Who sits where at one tournament table, and the last hand's button (``None`` before
    the first hand)."""

    table_id: int
    seat_count: int
    players: Mapping[int, str]  # seat -> entrant id
    button_seat: int | None = None

    @property
    def size(self) -> int:
        """How many players sit here."""
        return len(self.players)

    def empty_seats(self) -> list[int]:
        """Free seat numbers, ascending."""
        return [seat for seat in range(self.seat_count) if seat not in self.players]


class MoveReason(StrEnum):
    """Why a player changed tables."""

    TABLE_BROKEN = "table-broken"
    BALANCING = "balancing"


@dataclass(frozen=True)
class PlayerMove:
    """One player taken from a seat to another table's seat."""

    entrant_id: str
    from_table: int
    from_seat: int
    to_table: int
    to_seat: int
    reason: MoveReason


@dataclass(frozen=True)
class Rebalanced:
    """What :func:`balance` did: the tables after, the moves in order, the broken tables."""

    tables: tuple[TableSeats, ...]
    moves: tuple[PlayerMove, ...]
    broken_table_ids: tuple[int, ...]


def _random_pick(rng: RngSource, items: Sequence[int]) -> int:
    return items[rng.uniform(len(items))]


def seat_randomly(
    entrant_ids: Sequence[str], seats_per_table: int, rng: RngSource, first_table_id: int = 1
) -> tuple[TableSeats, ...]:
    """The first seating: as few tables as hold everyone, sizes within one of each other,
    every player at a random table and seat (TDA "Random Correct Seating")."""
    if not entrant_ids:
        return ()
    table_count = -(-len(entrant_ids) // seats_per_table)
    order = list(entrant_ids)
    shuffle(rng, order)
    tables: list[dict[int, str]] = [{} for _ in range(table_count)]
    for index, entrant in enumerate(order):
        table = tables[index % table_count]
        seat = _random_pick(rng, [s for s in range(seats_per_table) if s not in table])
        table[seat] = entrant
    return tuple(
        TableSeats(first_table_id + number, seats_per_table, players)
        for number, players in enumerate(tables)
    )


def seat_late_entry(
    tables: Sequence[TableSeats], entrant_id: str, rng: RngSource
) -> tuple[TableSeats, ...]:
    """Seat a late entry at a random empty seat of the table with the fewest players, or
    at a new table when all are full (:func:`balance` then evens the tables)."""
    open_tables = [table for table in tables if table.empty_seats()]
    if not open_tables:
        seat_count = tables[0].seat_count
        new_id = max(table.table_id for table in tables) + 1
        seat = _random_pick(rng, list(range(seat_count)))
        return (*tables, TableSeats(new_id, seat_count, {seat: entrant_id}))
    target = min(open_tables, key=lambda table: (table.size, table.table_id))
    seat = _random_pick(rng, target.empty_seats())
    seated = replace(target, players={**target.players, seat: entrant_id})
    return tuple(seated if table.table_id == target.table_id else table for table in tables)


def big_blind_next(table: TableSeats) -> int:
    """The seat that posts the big blind in this table's next hand (heads-up: the player
    who is not the new button)."""
    order = deal_order(list(table.players), table.button_seat)
    return order[0] if len(order) == 2 else order[1]


def hands_until_big_blind(table: TableSeats, seat: int) -> tuple[int, bool]:
    """For a player placed in empty ``seat``: in how many hands (1 = the next) they post the
    big blind, and whether the next hand has them post the small blind."""
    seats = [*table.players, seat]
    button = table.button_seat
    for hand in range(1, _ORBIT_MAX + 1):
        order = deal_order(seats, button)
        small_blind = order[-1] if len(order) == 2 else order[0]
        big_blind = order[0] if len(order) == 2 else order[1]
        if hand == 1 and small_blind == seat:
            return hand, True
        if big_blind == seat:
            return hand, False
        button = order[-1]
    raise InvariantBroken(f"seat {seat} never posts the big blind")


def worst_position(table: TableSeats) -> int:
    """TDA Rule 11-A: the empty seat that posts the big blind soonest (even twice), never
    the small blind; lowest seat number on ties."""
    candidates = []
    for seat in table.empty_seats():
        hands, small_blind_next = hands_until_big_blind(table, seat)
        if not small_blind_next:
            candidates.append((hands, seat))
    if not candidates:  # every empty seat would post the small blind: a two-seat table
        return table.empty_seats()[0]
    return min(candidates)[1]


def _break_tables(tables: list[TableSeats], rng: RngSource, moves: list[PlayerMove]) -> list[int]:
    """Break as many tables as the others have room for, all at once (so nobody moves to a
    table that breaks next): fewest players first, the highest number among equals."""
    seat_count = tables[0].seat_count
    keep = max(1, -(-sum(table.size for table in tables) // seat_count))
    breaking = sorted(tables, key=lambda table: (table.size, -table.table_id))[: len(tables) - keep]
    for table in breaking:
        tables.remove(table)
    leaving = [
        (table.table_id, seat, entrant)
        for table in breaking
        for seat, entrant in sorted(table.players.items())
    ]
    shuffle(rng, leaving)  # TDA Rule 10: players from a broken table get random seats
    for from_table, from_seat, entrant in leaving:
        position, target = min(
            ((position, table) for position, table in enumerate(tables) if table.empty_seats()),
            key=lambda item: (item[1].size, item[1].table_id),
        )
        seat = _random_pick(rng, target.empty_seats())
        tables[position] = replace(target, players={**target.players, seat: entrant})
        moves.append(
            PlayerMove(
                entrant, from_table, from_seat, target.table_id, seat, MoveReason.TABLE_BROKEN
            )
        )
    return [table.table_id for table in breaking]


def _move_one(tables: list[TableSeats], moves: list[PlayerMove]) -> None:
    big = min(range(len(tables)), key=lambda i: (-tables[i].size, tables[i].table_id))
    small = min(range(len(tables)), key=lambda i: (tables[i].size, tables[i].table_id))
    source, target = tables[big], tables[small]
    from_seat = big_blind_next(source)
    entrant = source.players[from_seat]
    to_seat = worst_position(target)
    tables[big] = replace(
        source, players={seat: who for seat, who in source.players.items() if seat != from_seat}
    )
    tables[small] = replace(target, players={**target.players, to_seat: entrant})
    moves.append(
        PlayerMove(
            entrant, source.table_id, from_seat, target.table_id, to_seat, MoveReason.BALANCING
        )
    )


def balance(tables: Sequence[TableSeats], rng: RngSource) -> Rebalanced:
    """Break tables while the others have room, then move players until every table is
    within one player of the others (see the module docstring for the exact rules)."""
    working = [table for table in tables if table.size > 0]
    broken = [table.table_id for table in tables if table.size == 0]
    moves: list[PlayerMove] = []
    if working:
        broken.extend(_break_tables(working, rng, moves))
    for _ in range(sum(table.size for table in working) + 1):  # a bound: each move shrinks a gap
        sizes = [table.size for table in working]
        if not sizes or max(sizes) - min(sizes) <= 1:
            break
        _move_one(working, moves)
    else:
        raise InvariantBroken("balancing did not converge")
    return Rebalanced(
        tuple(sorted(working, key=lambda table: table.table_id)), tuple(moves), tuple(broken)
    )


def hand_for_hand_starts(players_remaining: int, paid_places: int, table_count: int) -> bool:
    """Hand-for-hand play runs on the bubble: exactly one player more than the paid places
    remain, at more than one table (one table plays hand-for-hand by nature).

    >>> hand_for_hand_starts(31, 30, 4), hand_for_hand_starts(32, 30, 4)
    (True, False)
    """
    return players_remaining == paid_places + 1 and table_count > 1
