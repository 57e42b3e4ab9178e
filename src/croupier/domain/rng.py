"""Randomness as a port: every game draws through an :class:`RngSource`.

Games never call ``random``. They ask an ``RngSource`` for unbiased integers and use
:func:`shuffle` (Fisher–Yates in the exact order croupier-pf-1 prescribes), so the same
engine runs on the operating system's CSPRNG in production and on the provably-fair source
when a player wants to recompute a round.
"""

from __future__ import annotations

import secrets
from collections.abc import MutableSequence
from typing import Protocol, TypeVar, runtime_checkable

from croupier.domain.errors import InvalidInput

__all__ = ["CsprngSource", "RngSource", "shuffle"]

T = TypeVar("T")

UNIFORM_MAX = 2**32


@runtime_checkable
class RngSource(Protocol):
    """A source of unbiased uniform integers."""

    def uniform(self, n: int) -> int:
        """Return an integer drawn uniformly from ``[0, n)``; ``1 <= n <= 2**32``."""
        ...


class CsprngSource:
    """The operating system's CSPRNG (``secrets``), unbiased by construction."""

    def uniform(self, n: int) -> int:
        _check_range(n)
        return secrets.randbelow(n)


def _check_range(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= UNIFORM_MAX:
        raise InvalidInput(f"uniform(n) needs an integer 1 <= n <= 2**32, got {n!r}")


def shuffle(rng: RngSource, items: MutableSequence[T]) -> None:
    """Shuffle ``items`` in place: for i = n-1 down to 1, swap items[i] with items[uniform(i+1)]."""
    for i in range(len(items) - 1, 0, -1):
        j = rng.uniform(i + 1)
        items[i], items[j] = items[j], items[i]
