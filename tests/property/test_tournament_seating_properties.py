"""Breaking and balancing tables (TDA Rules 10 and 11 as docs/poker.md states them), Hypothesis.

After :func:`balance`: no player lost or duplicated, tables within one player, as few tables
as hold everyone (a table breaks only when the others have room), and every balancing move
took the player due the big blind next at a biggest table to the worst position at a
smallest one.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from croupier.domain.poker.seating import (
    MoveReason,
    TableSeats,
    balance,
    big_blind_next,
    seat_randomly,
    worst_position,
)
from tests.support.poker import SeededRng


@st.composite
def table_sets(draw: st.DrawFn) -> list[TableSeats]:
    seat_count = draw(st.integers(2, 9))
    tables = []
    number = 0
    for table_id in range(1, draw(st.integers(1, 10)) + 1):
        seats = draw(st.lists(st.integers(0, seat_count - 1), unique=True, max_size=seat_count))
        players = {}
        for seat in seats:
            players[seat] = f"p{number}"
            number += 1
        button = draw(st.sampled_from([None, *sorted(players)])) if players else None
        tables.append(TableSeats(table_id, seat_count, players, button))
    return tables


def seated(tables: list[TableSeats] | tuple[TableSeats, ...]) -> list[str]:
    return sorted(who for table in tables for who in table.players.values())


@given(tables=table_sets(), seed=st.integers(0, 2**32))
def test_balance_keeps_everyone_and_evens_the_tables(tables: list[TableSeats], seed: int) -> None:
    total = len(seated(tables))
    result = balance(tables, SeededRng(seed))
    assert seated(result.tables) == seated(tables)  # nobody lost or duplicated
    if total == 0:
        return
    sizes = [table.size for table in result.tables]
    seat_count = tables[0].seat_count
    assert max(sizes) - min(sizes) <= 1
    assert all(size <= seat_count for size in sizes)
    assert len(result.tables) == -(-total // seat_count)  # broken only while others had room
    for table in result.tables:
        assert all(0 <= seat < seat_count for seat in table.players)


@given(tables=table_sets(), seed=st.integers(0, 2**32))
def test_each_balancing_move_follows_tda_rule_11(tables: list[TableSeats], seed: int) -> None:
    result = balance(tables, SeededRng(seed))
    state = {table.table_id: table for table in tables if table.size}
    for table_id in result.broken_table_ids:
        state.pop(table_id, None)
    for move in result.moves:
        if move.reason is MoveReason.TABLE_BROKEN:
            target = state[move.to_table]
            assert move.to_seat not in target.players
            state[move.to_table] = replace(
                target, players={**target.players, move.to_seat: move.entrant_id}
            )
            continue
        source, target = state[move.from_table], state[move.to_table]
        assert source.size == max(table.size for table in state.values())
        assert target.size == min(table.size for table in state.values())
        assert move.from_seat == big_blind_next(source)  # the player due the big blind next
        assert move.to_seat == worst_position(target)  # to the worst position
        players = {seat: who for seat, who in source.players.items() if seat != move.from_seat}
        state[move.from_table] = replace(source, players=players)
        state[move.to_table] = replace(
            target, players={**target.players, move.to_seat: move.entrant_id}
        )
    assert sorted(state) == [table.table_id for table in result.tables]
    for table in result.tables:
        assert dict(state[table.table_id].players) == dict(table.players)


@given(players=st.integers(1, 400), seats=st.integers(2, 9), seed=st.integers(0, 2**32))
def test_random_seating_fills_as_few_tables_as_possible_evenly(
    players: int, seats: int, seed: int
) -> None:
    names = [f"p{index}" for index in range(players)]
    tables = seat_randomly(names, seats, SeededRng(seed))
    assert seated(tables) == sorted(names)
    sizes = [table.size for table in tables]
    assert len(tables) == -(-players // seats) and max(sizes) - min(sizes) <= 1


def test_worst_position_is_the_next_big_blind_even_twice() -> None:
    # Seats 0, 1, 2, button 0: next hand button 1, small blind 2, big blind 0. A player put
    # in seat 3 posts the big blind at once (TDA 11-A: "even if that means the BB twice").
    table = TableSeats(1, 9, {0: "a", 1: "b", 2: "c"}, button_seat=0)
    assert worst_position(table) == 3


def test_worst_position_is_never_the_small_blind() -> None:
    # Heads-up at seats 0 and 5, button 5: any of seats 1-4 would post the small blind next
    # hand, so the worst position is seat 6 (big blind in two hands).
    table = TableSeats(1, 9, {0: "a", 5: "b"}, button_seat=5)
    assert worst_position(table) == 6


def test_the_table_with_fewest_players_breaks_highest_number_first() -> None:
    tables = [
        TableSeats(1, 3, {0: "a", 1: "b"}),
        TableSeats(2, 3, {0: "c", 1: "d"}),
        TableSeats(3, 3, {0: "e"}),
        TableSeats(4, 3, {0: "f"}),
    ]
    result = balance(tables, SeededRng(7))
    assert result.broken_table_ids == (4, 3)
    assert [table.size for table in result.tables] == [3, 3]


def test_no_table_breaks_when_the_others_lack_room() -> None:
    tables = [TableSeats(1, 3, {0: "a", 1: "b", 2: "c"}), TableSeats(2, 3, {0: "d"})]
    result = balance(tables, SeededRng(1))
    assert result.broken_table_ids == ()
    assert sorted(table.size for table in result.tables) == [2, 2]
    (move,) = result.moves
    assert move.reason is MoveReason.BALANCING and move.from_table == 1
