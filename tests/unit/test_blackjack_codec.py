"""Saving and resuming blackjack rounds: exact round trips, loud refusals of tampered saves."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from croupier.adapters.game_files import load_game_data
from croupier.domain.games import blackjack as bj
from croupier.domain.games.blackjack_rules import parse_rules
from croupier.domain.games.blackjack_stacking import stacked_shoe

RULES = parse_rules(load_game_data("blackjack-6d-s17"))


def split_in_progress() -> bj.RoundState:
    """8,8 against a 6, split; the first hand has 8,3 and may double (onto a ten)."""
    shoe = stacked_shoe(6, ["8c", "6d", "8h", "Ts", "3d", "Tc", "9h"])
    return bj.split(bj.deal_shoe(RULES, 100, shoe).state).state


def through_json(state: bj.RoundState) -> bj.RoundState:
    return bj.RoundState.from_dict(json.loads(json.dumps(state.to_dict())))


def test_a_resumed_round_continues_exactly() -> None:
    state = split_in_progress()
    resumed = through_json(state)

    assert resumed == state
    straight = bj.stand(bj.double(state).state)
    again = bj.stand(bj.double(resumed).state)
    assert again == straight
    assert again.state.is_settled


def test_a_settled_round_round_trips() -> None:
    state = bj.stand(bj.double(split_in_progress()).state).state

    assert through_json(state) == state
    assert state.to_dict()["settlement"]["hand_returns_minor"] == [400, 0]


def test_the_save_carries_the_rules_it_started_under() -> None:
    saved = split_in_progress().to_dict()

    assert saved["rules"] == RULES.to_data()
    assert saved["format"] == "croupier-blackjack-round-1"


def _set(path: tuple[Any, ...], value: object) -> Callable[[dict[str, Any]], None]:
    def change(saved: dict[str, Any]) -> None:
        table: Any = saved
        for key in path[:-1]:
            table = table[key]
        table[path[-1]] = value

    return change


def _swap_two_shoe_cards(saved: dict[str, Any]) -> None:
    shoe = saved["shoe"]
    shoe[4], shoe[10] = shoe[10], shoe[4]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (_set(("format",), "v0"), "format"),
        (_set(("rules", "rules", "decks"), 9), "rules"),
        (_set(("shoe", 0), "Xx"), "shoe"),
        (_set(("shoe", 0), "As"), "shoe"),
        (_swap_two_shoe_cards, "next_card_index"),
        (_set(("next_card_index",), 2), "next_card_index"),
        (_set(("stake_minor",), 1), "stake_minor"),
        (_set(("hands", 0, "stake_minor"), 200), r"hands\[0\].stake_minor"),
        (_set(("hands", 1, "status"), "won"), r"hands\[1\]\.status"),
        (_set(("hands", 1, "cards"), []), r"hands\[1\]\.cards"),
        (_set(("active_hand_index",), 5), "active_hand_index"),
        (_set(("insurance_stake_minor",), 10), "insurance_stake_minor"),
        (_set(("phase",), "settled"), "settlement"),
        (_set(("dealer_cards",), ["Ts", "6d"]), "dealer_cards"),
    ],
)
def test_a_tampered_save_is_refused_naming_the_field(
    change: Callable[[dict[str, Any]], None], field: str
) -> None:
    saved = copy.deepcopy(split_in_progress().to_dict())
    change(saved)

    with pytest.raises(bj.InvalidRoundState, match=rf"^{field}"):
        bj.RoundState.from_dict(saved)


def test_not_a_dict_is_refused() -> None:
    with pytest.raises(bj.InvalidRoundState, match="state"):
        bj.RoundState.from_dict(["not", "a", "round"])
