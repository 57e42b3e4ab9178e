"""A leaderboard score and the time it was reached, packed into one exact float64.

Redis sorted sets order members by a float64 score (then by member, byte-wise). To rank
equal scores by who reached them first, the time goes into the score's low bits::

    packed = rank_score × 2^TIME_BITS + (TIME_MAX_S − t)

with ``t`` the seconds since the period began and ``rank_score`` the score itself for a
``desc`` board, ``SCORE_MAX − score`` for an ``asc`` one. So a larger ``packed`` is always a
better place, whatever the sort: every adapter ranks by ``packed`` descending (Redis
``ZREVRANK`` / ``ZRANGE … REV``), and equal ``packed`` (same score, same second) by member
descending, as Redis does. ``packed`` < 2^53, so float64 holds it exactly: 25 bits of time
(a period up to 388 days) and 28 bits of score (0 to 268,435,455; a score beyond is held
at the bound, never wrapped).

>>> decode_score(encode_score(1234, 60, sort="desc"), sort="desc")
(1234, 60)
>>> encode_score(5, 10, sort="desc") > encode_score(5, 11, sort="desc")  # earlier wins
True
>>> encode_score(5, 10, sort="asc") > encode_score(6, 0, sort="asc")  # lower wins on asc
True
"""

from __future__ import annotations

from typing import Final

__all__ = ["SCORE_BITS", "SCORE_MAX", "TIME_BITS", "TIME_MAX_S", "decode_score", "encode_score"]

TIME_BITS: Final = 25
SCORE_BITS: Final = 53 - TIME_BITS
TIME_MAX_S: Final = 2**TIME_BITS - 1
SCORE_MAX: Final = 2**SCORE_BITS - 1


def clamp_score(score: int) -> int:
    """A score within 0 … SCORE_MAX (metrics are never negative; a huge one saturates)."""
    return min(max(score, 0), SCORE_MAX)


def encode_score(score: int, t_s: int, *, sort: str) -> float:
    """``score`` reached ``t_s`` seconds into the period, as one exact float64."""
    if isinstance(score, bool) or not isinstance(score, int):
        raise TypeError("a score is an int")
    if not 0 <= t_s <= TIME_MAX_S:
        raise ValueError(f"a time in the period is 0 to {TIME_MAX_S} seconds: {t_s}")
    held = clamp_score(score)
    rank_score = held if sort == "desc" else SCORE_MAX - held
    packed = (rank_score << TIME_BITS) | (TIME_MAX_S - t_s)
    result = float(packed)
    if int(result) != packed:  # cannot happen below 2^53: a broken invariant stops here
        raise ArithmeticError(f"packed score {packed} is not exact in float64")
    return result


def decode_score(packed: float, *, sort: str) -> tuple[int, int]:
    """``(score, t_s)`` from a packed score."""
    whole = int(packed)
    if whole != packed or not 0 <= whole < 2**53:
        raise ValueError(f"not a packed score: {packed!r}")
    rank_score, time_part = whole >> TIME_BITS, whole & TIME_MAX_S
    score = rank_score if sort == "desc" else SCORE_MAX - rank_score
    return score, TIME_MAX_S - time_part
