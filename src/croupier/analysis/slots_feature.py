"""Exact moments of the free-spin feature, retriggers and the hard cap included.

Every free spin falls into a *class* by its scatter count; a class has a probability, its
win's first two moments and the free spins it awards. The state of a feature is
(spins awarded so far T, spins left R); each spin plays one, and a retrigger adds
``min(award, cap - T)``. The expected total win g1(T, R) and its second moment g2(T, R)
obey, summing over classes k with next state (T', R')::

    g1(T, R) = Σ_k  E[W·1k] + q_k·g1(T', R')
    g2(T, R) = Σ_k  E[W²·1k] + 2·E[W·1k]·g1(T', R') + q_k·g2(T', R')

(given its class, a spin's win is independent of the spins after it, whose number depends
only on the award). All quantities are integers over the cycle size P, so the recursion is
run on integers scaled by P^(spins still possible) and is exact without fractions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["FeatureMoments", "SpinClass", "feature_moments"]


@dataclass(frozen=True)
class SpinClass:
    """Spins of the cycle that award ``award`` free spins: how many, Σ win and Σ win²."""

    award: int
    combos: int
    win_sum: int
    win_square_sum: int


@dataclass(frozen=True)
class FeatureMoments:
    """g1 and g2 of a feature that starts with ``n`` free spins, for every ``n`` asked."""

    first: dict[int, Fraction]
    second: dict[int, Fraction]


def feature_moments(
    classes: Sequence[SpinClass], cycle: int, cap: int, starts: Sequence[int]
) -> FeatureMoments:
    """Exact E[total win] and E[total win²] of a feature starting with each of ``starts``.

    A spin's win is whatever unit ``win_sum`` uses. With ``win_sum = combos`` (a win of 1 per
    spin) the first moment is the expected number of free spins played.
    """
    first: dict[tuple[int, int], int] = {}
    second: dict[tuple[int, int], int] = {}
    linear = sum(c.win_sum for c in classes)
    square = sum(c.win_square_sum for c in classes)
    powers = [cycle**d for d in range(cap + 1)]
    for total in range(cap, -1, -1):
        for left in range(total + 1):
            if left == 0:
                first[total, 0] = second[total, 0] = 0
                continue
            depth = cap - total + left  # spins that can still be played from here
            h1 = powers[depth - 1] * linear
            h2 = powers[depth - 1] * square
            for spin_class in classes:
                extra = min(spin_class.award, cap - total)
                after = (total + extra, left - 1 + extra)
                h1 += spin_class.combos * first[after]
                h2 += 2 * spin_class.win_sum * first[after] + spin_class.combos * second[after]
            first[total, left] = h1
            second[total, left] = h2
    scale = powers[cap]
    return FeatureMoments(
        first={n: Fraction(first[n, n], scale) if n else Fraction(0) for n in starts},
        second={n: Fraction(second[n, n], scale) if n else Fraction(0) for n in starts},
    )
