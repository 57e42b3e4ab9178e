"""Leaderboard and tournament definitions: the shipped files load; bad ones are refused with
the key at fault; cron periods; the domain's doctests."""

from __future__ import annotations

import doctest
from typing import Any

import pytest

from croupier.adapters.leaderboard_files import load_leaderboards
from croupier.domain.engagement import boards, scores, tournaments
from croupier.domain.engagement.boards import parse_leaderboard
from croupier.domain.engagement.tournaments import parse_tournament
from croupier.domain.errors import InvalidInput
from croupier.services.leaderboards.periods import period_at

GOOD: dict[str, Any] = {
    "id": "b",
    "sort": "desc",
    "operator": "best",
    "metric": "rounds",
    "reset": "0 0 * * *",
}


def test_the_domain_doctests_pass() -> None:
    for module in (boards, scores, tournaments):
        assert doctest.testmod(module).failed == 0


def test_the_shipped_leaderboards_load() -> None:
    shipped = load_leaderboards()
    assert set(shipped) == {"daily-multiplier", "weekly-wagered-eur"}
    assert shipped["weekly-wagered-eur"].currency == "EUR"


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"id": "Bad Id"}, "id"),
        ({"id": "tournament-x"}, "tournament-"),
        ({"sort": "up"}, "sort"),
        ({"operator": "max"}, "operator"),
        ({"metric": "total_win"}, "currency"),
        ({"reset": "daily"}, "reset"),
        ({"games": "lotus-20"}, "games"),
        ({"colour": "red"}, "unknown keys"),
    ],
)
def test_a_bad_leaderboard_is_refused_naming_the_key(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(InvalidInput, match=named):
        parse_leaderboard({**GOOD, **changes}, where="test")


TOURNAMENT: dict[str, Any] = {
    "id": "t",
    "starts_at_ms": 0,
    "ends_at_ms": 3_600_000,
    "currency": "EUR",
    "entrants_max": 10,
    "attempts_max": 5,
    "games": ["lotus-20"],
    "metric": "total_win",
    "operator": "incr",
    "prizes": [100],
}


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"ends_at_ms": 0}, "ends_at_ms"),
        ({"ends_at_ms": 2**25 * 1000 + 1}, "ends_at_ms"),  # beyond the packed time part
        ({"prizes": []}, "prizes"),
        ({"prizes": [0]}, "prizes"),
        ({"fee_minor": -1}, "fee_minor"),
        ({"fee_minor": 1.5}, "fee_minor"),
        ({"games": []}, "games"),
        ({"currency": "eur"}, "currency"),
        ({"entrants_max": 0}, "entrants_max"),
    ],
)
def test_a_bad_tournament_is_refused_naming_the_key(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(InvalidInput, match=named):
        parse_tournament({**TOURNAMENT, **changes}, where="test")


def test_a_period_starts_at_its_own_firing() -> None:
    start = 1_800_000_000_000 - 1_800_000_000_000 % 3_600_000  # a whole hour
    assert period_at("0 * * * *", start).start_ms == start
    assert period_at("0 * * * *", start - 1).end_ms == start
    assert period_at("0 * * * *", start + 3_599_999).id == period_at("0 * * * *", start).id
