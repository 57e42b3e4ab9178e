"""Checks a tournament makes before it changes anything: a table's hand report, re-buy and
add-on eligibility. Each raises :class:`IllegalAction` (bad input, nothing changed) or
:class:`InvariantBroken` (chips created or lost: stop)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from croupier.domain.errors import IllegalAction, InvariantBroken
from croupier.domain.games.holdem import HandResult
from croupier.domain.poker.seating import TableSeats
from croupier.domain.poker.tournament_structure import AddOnRule, RebuyRule

__all__ = ["HandOutcome", "check_add_on", "check_hand_outcome", "check_rebuy"]


@dataclass(frozen=True)
class HandOutcome:
    """A finished hand at one table: its button and every dealt-in player's stack before
    and after (tournament hands have no rake, so the sums must match)."""

    table_id: int
    button_seat: int
    starting_stacks: Mapping[str, int]
    final_stacks: Mapping[str, int]


def outcome_of_hand(table_id: int, result: HandResult, players: Mapping[int, str]) -> HandOutcome:
    """The report of an engine hand (``Hand.result``) at a tournament table whose seats hold
    ``players``; a tournament hand takes no rake."""
    if result.rake_minor:
        raise InvariantBroken(f"table {table_id}: a tournament hand took rake")
    names = [players[seat] for seat in result.seats]
    return HandOutcome(
        table_id,
        result.seats[-1],  # deal order ends with the button
        dict(zip(names, result.starting_stacks_minor, strict=True)),
        dict(zip(names, result.final_stacks_minor, strict=True)),
    )


def _chips(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def check_hand_outcome(
    outcome: HandOutcome, table: TableSeats | None, stacks: Mapping[str, int]
) -> None:
    """The hand's players sit at ``table`` with the stacks we know, had chips, end with
    whole non-negative stacks, and the total did not change."""
    where = f"table {outcome.table_id}"
    if table is None:
        raise IllegalAction(f"there is no {where}")
    dealt = set(outcome.starting_stacks)
    if dealt != set(outcome.final_stacks) or not dealt <= set(table.players.values()):
        raise IllegalAction(f"{where}: the hand's players are not the seated players")
    if len(dealt) < 2:
        raise IllegalAction(f"{where}: a hand needs two players")
    for key in dealt:
        start, final = outcome.starting_stacks[key], outcome.final_stacks[key]
        if start != stacks[key] or not _chips(start) or start == 0:
            raise IllegalAction(f"{where}: {key!r} had another stack than {stacks[key]}")
        if not _chips(final):
            raise IllegalAction(f"{where}: {key!r} ends with {final!r}, not whole chips")
    if outcome.button_seat not in table.players:
        raise IllegalAction(f"{where}: the button is not a seated player")
    if sum(outcome.final_stacks.values()) != sum(outcome.starting_stacks.values()):
        raise InvariantBroken(f"{where}: a hand changed the chip total")


def check_rebuy(
    rule: RebuyRule | None, is_open: bool, rebuys_used: int, stack: int, entrant_id: str
) -> RebuyRule:
    """The re-buy rule if ``entrant_id`` may re-buy now."""
    if rule is None or not is_open:
        raise IllegalAction("re-buys are not open")
    if rebuys_used >= rule.per_player_max:
        raise IllegalAction(f"{entrant_id!r} has used all {rule.per_player_max} re-buys")
    if stack > rule.stack_max:
        raise IllegalAction(f"a re-buy needs a stack of at most {rule.stack_max} chips")
    return rule


def check_add_on(
    rule: AddOnRule | None, level: int, taken: bool, stack: int, entrant_id: str
) -> AddOnRule:
    """The add-on rule if ``entrant_id`` may take it now (during its level and the break
    after it, once, with chips)."""
    if rule is None or level != rule.level:
        raise IllegalAction("the add-on is not offered now")
    if taken:
        raise IllegalAction(f"{entrant_id!r} has taken the add-on already")
    if stack == 0:
        raise IllegalAction("the add-on is for players with chips")
    return rule
