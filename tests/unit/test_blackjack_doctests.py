"""The examples in the blackjack modules' docstrings run and hold."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from croupier.domain.games import (
    blackjack,
    blackjack_rules,
    blackjack_stacking,
    blackjack_state,
)


@pytest.mark.parametrize(
    "module",
    [blackjack, blackjack_rules, blackjack_stacking, blackjack_state],
    ids=lambda module: module.__name__,
)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module, raise_on_error=False)

    assert result.attempted > 0
    assert result.failed == 0
