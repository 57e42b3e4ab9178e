"""Basic strategy: known chart cells (Wizard of Odds 4–8 decks), per S17/H17, DAS, surrender."""

from __future__ import annotations

from typing import Any

import pytest

from croupier.adapters.game_files import load_game_data
from croupier.analysis.blackjack_strategy import basic_strategy
from croupier.domain.games import blackjack as bj
from croupier.domain.games.blackjack_rules import BlackjackRules, parse_rules
from croupier.domain.games.blackjack_stacking import stacked_shoe

H, S, D, P, R = (
    bj.Action.HIT,
    bj.Action.STAND,
    bj.Action.DOUBLE,
    bj.Action.SPLIT,
    bj.Action.SURRENDER,
)


def table(game_id: str, **changes: Any) -> BlackjackRules:
    data = load_game_data(game_id)
    data["rules"].update(changes)
    return parse_rules(data)


def decide(rules: BlackjackRules, player: tuple[str, str], upcard: str) -> bj.Action:
    hole = "7s" if upcard[0] != "A" else "9s"  # never a dealer blackjack
    state = bj.deal_shoe(rules, 100, stacked_shoe(6, [player[0], upcard, player[1], hole])).state
    if state.phase is bj.Phase.INSURANCE:
        assert basic_strategy(rules).decide(state) is bj.Action.DECLINE_INSURANCE
        state = bj.decline_insurance(state).state
    return basic_strategy(rules).decide(state)


@pytest.mark.parametrize(
    ("player", "upcard", "s17", "h17"),
    [
        (("6c", "5d"), "Ah", H, D),  # hard 11 vs ace: the classic S17/H17 difference
        (("6c", "5d"), "Th", D, D),
        (("5c", "4d"), "2h", H, H),  # hard 9 doubles only against 3-6
        (("5c", "4d"), "3h", D, D),
        (("Tc", "2d"), "3h", H, H),  # hard 12 hits a 3
        (("Tc", "2d"), "4h", S, S),
        (("Tc", "6d"), "Th", H, H),  # 16 vs ten: hit without surrender
        (("Ac", "7d"), "2h", S, D),  # soft 18 vs 2
        (("Ac", "7d"), "9h", H, H),
        (("Ac", "8d"), "6h", S, D),  # soft 19 vs 6
        (("Ac", "6d"), "2h", H, H),
        (("9c", "9d"), "7h", S, S),  # stand on 9,9 vs 7
        (("9c", "9d"), "8h", P, P),
        (("8c", "8d"), "Ah", P, P),
        (("5c", "5d"), "9h", D, D),  # 5,5 is a hard 10
        (("Tc", "Kd"), "6h", S, S),
        (("Ac", "Ad"), "Th", P, P),
        (("4c", "4d"), "5h", P, P),  # with DAS
    ],
)
def test_chart_cells(player: tuple[str, str], upcard: str, s17: bj.Action, h17: bj.Action) -> None:
    assert decide(table("blackjack-6d-s17"), player, upcard) is s17
    assert decide(table("blackjack-6d-h17"), player, upcard) is h17


@pytest.mark.parametrize(
    ("player", "upcard", "s17", "h17"),
    [
        (("Tc", "6d"), "9h", R, R),
        (("Tc", "5d"), "Th", R, R),
        (("Tc", "5d"), "Ah", H, R),
        (("Tc", "7d"), "Ah", S, R),
        (("8c", "8d"), "Ah", P, R),
        (("8c", "8d"), "Th", P, P),  # 8,8 splits rather than surrendering
    ],
)
def test_late_surrender_cells(
    player: tuple[str, str], upcard: str, s17: bj.Action, h17: bj.Action
) -> None:
    assert decide(table("blackjack-6d-s17", late_surrender=True), player, upcard) is s17
    assert decide(table("blackjack-6d-h17", late_surrender=True), player, upcard) is h17


@pytest.mark.parametrize(
    ("player", "upcard", "das", "no_das"),
    [
        (("2c", "2d"), "2h", P, H),
        (("4c", "4d"), "6h", P, H),
        (("6c", "6d"), "2h", P, H),
        (("2c", "2d"), "4h", P, P),
    ],
)
def test_pairs_depend_on_double_after_split(
    player: tuple[str, str], upcard: str, das: bj.Action, no_das: bj.Action
) -> None:
    assert decide(table("blackjack-6d-s17"), player, upcard) is das
    assert decide(table("blackjack-6d-s17", double_after_split=False), player, upcard) is no_das


def test_three_card_soft_18_stands_where_two_cards_would_double() -> None:
    rules = table("blackjack-6d-s17")
    state = bj.deal_shoe(rules, 100, stacked_shoe(6, ["Ac", "5h", "2d", "7s", "5c"])).state
    state = bj.hit(state).state  # A,2,5: soft 18 against a 5

    assert state.active_hand.total == 18
    assert basic_strategy(rules).decide(state) is bj.Action.STAND
