"""The packed leaderboard score is exact in float64 at every extreme, round-trips, and orders
places as the board means: better score first, then the earlier time."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from croupier.domain.engagement.scores import SCORE_MAX, TIME_MAX_S, decode_score, encode_score

edge_scores = st.one_of(
    st.sampled_from([0, 1, SCORE_MAX - 1, SCORE_MAX]), st.integers(0, SCORE_MAX)
)
edge_times = st.one_of(
    st.sampled_from([0, 1, TIME_MAX_S - 1, TIME_MAX_S]), st.integers(0, TIME_MAX_S)
)
sorts = st.sampled_from(["desc", "asc"])


@given(score=edge_scores, t_s=edge_times, sort=sorts)
def test_packing_is_exact_and_round_trips(score: int, t_s: int, sort: str) -> None:
    packed = encode_score(score, t_s, sort=sort)
    assert packed == int(packed) and 0 <= int(packed) < 2**53
    assert float(int(packed)) == packed  # no neighbouring integer shares this float
    assert decode_score(packed, sort=sort) == (score, t_s)


@given(a=st.tuples(edge_scores, edge_times), b=st.tuples(edge_scores, edge_times), sort=sorts)
def test_order_is_better_score_then_earlier_time(
    a: tuple[int, int], b: tuple[int, int], sort: str
) -> None:
    def place(pair: tuple[int, int]) -> tuple[int, int]:  # smaller is a better place
        score, t_s = pair
        return (-score if sort == "desc" else score, t_s)

    packed_a, packed_b = encode_score(*a, sort=sort), encode_score(*b, sort=sort)
    assert (packed_a > packed_b) == (place(a) < place(b))
    assert (packed_a == packed_b) == (a == b)


def test_a_score_beyond_the_bound_is_held_at_it() -> None:
    assert (
        decode_score(encode_score(SCORE_MAX + 10**9, 0, sort="desc"), sort="desc")[0] == SCORE_MAX
    )
