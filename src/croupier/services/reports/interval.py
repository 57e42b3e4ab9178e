"""The 99.9 % interval an observed RTP should fall in, for the volume played.

Each round ``i`` stakes ``s_i`` and returns ``W_i``; per unit of stake the game returns
``rtp`` on average with standard deviation ``σ`` (the certified figures). Rounds are
independent, so the total return ``W = Σ W_i`` has mean ``rtp·S`` (``S = Σ s_i``) and
variance ``σ²·Σ s_i²``. The observed RTP ``W / S`` therefore has standard deviation
``σ·√(Σ s_i²) / S = σ / √N_eff``, where ``N_eff = S² / Σ s_i²`` is the effective number of
rounds: ``N`` when every stake is the same, fewer when a few big stakes dominate.

>>> band = rtp_band(Fraction(36, 37), Fraction(216, 37), stake_sum=10_000, stake_squares=10_000)
>>> f"{float(band.low):.4f} {float(band.high):.4f}"
'0.7809 1.1651'
>>> band.contains(Fraction(1))
True
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal
from fractions import Fraction
from typing import Final

__all__ = ["Z_999", "RtpBand", "rtp_band"]

#: z(0.9995): the 99.9 % two-sided interval of a normal distribution.
Z_999: Final = Fraction(32905, 10_000)
#: √(Σs²) to 30 significant digits: far finer than any figure the report prints.
_ROOT_DIGITS: Final = Context(prec=30)


@dataclass(frozen=True, slots=True)
class RtpBand:
    """``[low, high]``: where the observed RTP falls 999 times in 1,000 if the game's maths
    holds; ``half_width`` is ``z·σ/√N_eff``."""

    low: Fraction
    high: Fraction
    half_width: Fraction

    def contains(self, observed: Fraction) -> bool:
        return self.low <= observed <= self.high


def rtp_band(rtp: Fraction, sigma: Fraction, *, stake_sum: int, stake_squares: int) -> RtpBand:
    """The interval around ``rtp`` for rounds whose stakes sum to ``stake_sum`` and whose
    squared stakes sum to ``stake_squares`` (both in minor units: the unit cancels)."""
    if stake_sum <= 0 or stake_squares <= 0:
        raise ValueError("an interval needs at least one staked round")
    if sigma < 0:
        raise ValueError("a standard deviation is never negative")
    root = Fraction(Decimal(stake_squares).sqrt(_ROOT_DIGITS))
    half = Z_999 * sigma * root / stake_sum
    return RtpBand(rtp - half, rtp + half, half)
