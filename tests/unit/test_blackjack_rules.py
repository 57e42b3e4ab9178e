"""Blackjack rule files: the shipped tables say what they claim; malformed data names the field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from croupier.adapters.game_files import load_game_data
from croupier.domain.errors import GameDefinitionError
from croupier.domain.games.blackjack_rules import DoubleOn, parse_rules


def _valid() -> dict[str, Any]:
    return load_game_data("blackjack-6d-s17")


def test_six_deck_s17_table_has_the_advertised_rules() -> None:
    rules = parse_rules(load_game_data("blackjack-6d-s17"))

    assert rules.game_id == "blackjack-6d-s17"
    assert rules.decks == 6
    assert rules.dealer_hits_soft_17 is False
    assert rules.double_on is DoubleOn.ANY_TWO
    assert rules.double_after_split is True
    assert rules.split_hands_max == 4
    assert (rules.resplit_aces, rules.hit_split_aces) == (False, False)
    assert rules.late_surrender is False
    assert (rules.insurance, rules.dealer_peek) == (True, True)
    assert rules.blackjack_pays == (3, 2)


def test_six_deck_h17_table_differs_only_in_soft_17() -> None:
    s17 = parse_rules(load_game_data("blackjack-6d-s17")).to_data()
    h17 = parse_rules(load_game_data("blackjack-6d-h17")).to_data()

    assert h17["rules"]["dealer_hits_soft_17"] is True
    h17["rules"]["dealer_hits_soft_17"] = False
    assert h17["rules"] == s17["rules"]
    assert h17["limits"] == s17["limits"]


def test_six_to_five_table_pays_six_to_five() -> None:
    assert parse_rules(load_game_data("blackjack-6d-h17-65")).blackjack_pays == (6, 5)


def test_to_data_round_trips() -> None:
    rules = parse_rules(_valid())

    assert parse_rules(rules.to_data()) == rules


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("rules", "decks"), 0, "rules.decks"),
        (("rules", "decks"), 9, "rules.decks"),
        (("rules", "decks"), "6", "rules.decks"),
        (("rules", "decks"), True, "rules.decks"),
        (("rules", "dealer_hits_soft_17"), "yes", "rules.dealer_hits_soft_17"),
        (("rules", "double"), "any", "rules.double"),
        (("rules", "split_hands_max"), 9, "rules.split_hands_max"),
        (("rules", "blackjack_pays"), "2:1", "rules.blackjack_pays"),
        (("rules", "late_surrender"), 1, "rules.late_surrender"),
        (("rules", "hole_card"), True, "rules.hole_card"),
        (("limits", "currency"), "eur", "limits.currency"),
        (("limits", "stake_min_minor"), 0, "limits.stake_min_minor"),
        (("limits", "stake_max_minor"), 1.5, "limits.stake_max_minor"),
        (("limits", "stake_max_minor"), 50, "limits.stake_max_minor"),
        (("kind",), "roulette", "kind"),
        (("rules",), [], "rules"),
        (("id",), "", "id"),
    ],
)
def test_malformed_definition_names_the_field(
    path: tuple[str, ...], value: object, field: str
) -> None:
    data = copy.deepcopy(_valid())
    table = data
    for key in path[:-1]:
        table = table[key]
    table[path[-1]] = value

    with pytest.raises(GameDefinitionError, match=rf"^{field}: "):
        parse_rules(data)


@pytest.mark.parametrize("field", ["decks", "insurance", "blackjack_pays"])
def test_missing_rule_names_the_field(field: str) -> None:
    data = copy.deepcopy(_valid())
    del data["rules"][field]

    with pytest.raises(GameDefinitionError, match=rf"^rules\.{field}: missing"):
        parse_rules(data)
