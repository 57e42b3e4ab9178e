"""The examples in the compliance modules' docstrings run and hold."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from croupier.domain.compliance import licences, limits, profile, regions, rules


@pytest.mark.parametrize(
    "module", [licences, limits, profile, regions, rules], ids=lambda module: module.__name__
)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module, raise_on_error=False)

    assert result.attempted > 0
    assert result.failed == 0


def test_every_error_is_drawn_in_the_tree() -> None:
    from croupier.domain import errors

    for name in ("GeoBlocked", "SpinTooFast", "StakeLimit", "GameNotOffered"):
        assert f"── {name} " in (errors.__doc__ or "")
    assert "JurisdictionDefinitionError" in (errors.__doc__ or "")
