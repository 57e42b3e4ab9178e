"""The examples in the poker domain's docstrings are true."""

from __future__ import annotations

import doctest

import pytest

from croupier.domain.poker import (
    cash_rules,
    payouts,
    seating,
    tournament_ranking,
    tournament_structure,
)


@pytest.mark.parametrize(
    "module", [cash_rules, payouts, seating, tournament_ranking, tournament_structure]
)
def test_doctests(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0
