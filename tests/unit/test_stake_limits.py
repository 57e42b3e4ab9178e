"""Stake limits per currency: a stake is taken only in a listed currency and within its
limits, in that currency's minor units; a file's limits are checked whole at start."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from croupier.domain.errors import CurrencyNotOffered, GameDefinitionError, InvalidBet
from croupier.domain.games import stakes
from croupier.domain.games.instant import RouletteKind, parse_roulette
from croupier.domain.games.stakes import StakeRange, parse_limits

LIMITS = parse_limits(
    {
        "limits": {
            "EUR": {"stake_min_minor": 20, "stake_max_minor": 10_000},
            "JPY": {"stake_min_minor": 40, "stake_max_minor": 20_000},
            "KWD": {"stake_min_minor": 60, "stake_max_minor": 9_000},
        }
    },
    multiple_of=20,
)


def test_the_module_examples_hold() -> None:
    result = doctest.testmod(stakes, raise_on_error=False)
    assert result.attempted > 0 and result.failed == 0


@given(code=st.sampled_from(["EUR", "JPY", "KWD"]), stake=st.integers(-(10**6), 10**6))
def test_a_stake_is_taken_exactly_within_its_currencys_limits(code: str, stake: int) -> None:
    limits = LIMITS.by_currency[code]
    if limits.min_minor <= stake <= limits.max_minor:
        assert LIMITS.check(stake, code) == stake
    else:
        with pytest.raises(InvalidBet, match=f"minor units of {code}"):
            LIMITS.check(stake, code)


def test_the_refusal_names_the_limits_by_the_currencys_exponent() -> None:
    with pytest.raises(InvalidBet, match=r"\(0\.20 to 100\.00 EUR\)"):
        LIMITS.check(10, "EUR")
    with pytest.raises(InvalidBet, match=r"\(40 to 20000 JPY\)"):  # the yen has no minor unit
        LIMITS.check(20, "JPY")
    with pytest.raises(InvalidBet, match=r"\(0\.060 to 9\.000 KWD\)"):  # the fils: 1/1000
        LIMITS.check(9_020, "KWD")


@pytest.mark.parametrize("stake", [True, 20.0, "20", None])
def test_only_an_integer_is_a_stake(stake: object) -> None:
    with pytest.raises(InvalidBet, match="integer of minor units"):
        LIMITS.check(stake, "EUR")


def test_an_unlisted_currency_is_refused_naming_the_listed_ones() -> None:
    with pytest.raises(CurrencyNotOffered, match="plays in EUR, JPY, KWD, not USD"):
        LIMITS.check(100, "USD")


def test_the_envelope_spans_every_currency() -> None:
    assert LIMITS.envelope == StakeRange(20, 20_000)
    assert LIMITS.currencies == ("EUR", "JPY", "KWD")


def test_a_currency_this_process_does_not_know_is_refused() -> None:
    unknown = parse_limits({"limits": {"XUU": {"stake_min_minor": 1, "stake_max_minor": 2}}})
    with pytest.raises(GameDefinitionError, match=r"limits\.XUU: unknown currency 'XUU'"):
        unknown.require_known()
    LIMITS.require_known()  # ISO 4217: fine


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"EUR": {"stake_min_minor": 30, "stake_max_minor": 20}}, "stake_max_minor: must be 30"),
        ({"EUR": {"stake_min_minor": 0, "stake_max_minor": 20}}, "stake_min_minor: must be 1"),
        ({"EUR": {"stake_min_minor": 10}}, "stake_max_minor: expected an integer"),
        ({"EUR": {"stake_min_minor": 10, "stake_max_minor": 25}}, "multiple of 10"),
    ],
)
def test_bad_limits_are_refused_naming_the_field(limits: object, message: str) -> None:
    with pytest.raises(GameDefinitionError, match=message):
        parse_limits({"limits": limits}, multiple_of=10)


ROULETTE = {
    "id": "european-roulette",
    "kind": "roulette",
    "name": "European roulette",
    "version": 1,
    "rules": {"bets_max": 3},
    "limits": {"EUR": {"stake_min_minor": 10, "stake_max_minor": 1000}},
}


def test_roulette_checks_each_bet_in_the_players_currency() -> None:
    kind = RouletteKind.from_data(ROULETTE)
    bet = kind.parse_bet(
        {"bets": [{"type": "red", "stake": 10}, {"type": "odd", "stake": 1000}]}, "EUR"
    )
    assert bet.stake_minor == 1010
    with pytest.raises(InvalidBet, match="a roulette stake 1001 is outside 10 to 1000"):
        kind.parse_bet({"bets": [{"type": "red", "stake": 1001}]}, "EUR")
    with pytest.raises(CurrencyNotOffered):
        kind.parse_bet({"bets": [{"type": "red", "stake": 10}]}, "GBP")
    with pytest.raises(InvalidBet, match="1 to 3 bets"):
        kind.parse_bet({"bets": [{"type": "red", "stake": 10}] * 4}, "EUR")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("rules", {"bets_max": 21}, "rules.bets_max: must be 1 to 20"),
        ("rules", {"spins": 1}, "rules: a table with bets_max only"),
        ("version", 0, "version: expected a positive integer"),
        ("colour", "red", "colour: unknown field"),
        ("limits", {}, "limits: expected"),
    ],
)
def test_bad_roulette_files_are_refused_naming_the_field(
    key: str, value: object, message: str
) -> None:
    with pytest.raises(GameDefinitionError, match=message):
        parse_roulette({**ROULETTE, key: value})
