"""Payout rounding and tie splitting (Hypothesis): the pool is paid exactly, never more,
and prizes never increase down the places."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from croupier.adapters.tournament_files import load_shipped_structure
from croupier.domain.poker.payouts import PoolCounts, place_prizes, prize_pool_minor, split_tied
from croupier.domain.poker.tournament_ranking import rank_busted, ranked_payouts

DAILY = load_shipped_structure("mtt-daily")


@st.composite
def basis_points(draw: st.DrawFn) -> list[int]:
    """Non-increasing positive basis points summing to 10,000."""
    places = draw(st.integers(1, 40))
    cuts = sorted(
        draw(st.lists(st.integers(1, 9_999), min_size=places - 1, max_size=places - 1, unique=True))
    )
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
    return sorted(parts, reverse=True)


@given(pool=st.integers(0, 10**12), points=basis_points())
def test_place_prizes_sum_to_the_pool_and_never_increase(pool: int, points: list[int]) -> None:
    prizes = place_prizes(pool, points)
    assert sum(prizes) == pool
    assert list(prizes) == sorted(prizes, reverse=True)
    for prize, share in zip(prizes, points, strict=True):  # each within one unit of its share
        assert pool * share // 10_000 <= prize <= pool * share // 10_000 + 1


@given(prizes=st.lists(st.integers(0, 10**9), min_size=1, max_size=9))
def test_tied_players_share_exactly_within_one_unit(prizes: list[int]) -> None:
    players = [f"p{index}" for index in range(len(prizes))]
    shares = [amount for _, amount in split_tied(prizes, players)]
    assert sum(shares) == sum(prizes) and max(shares) - min(shares) <= 1
    assert shares == sorted(shares, reverse=True)  # remainder to the first given


@given(
    entries=st.integers(20, 300),
    rebuys=st.integers(0, 300),
    add_ons=st.integers(0, 300),
    stacks=st.data(),
)
def test_a_whole_tournament_of_simultaneous_busts_pays_exactly(
    entries: int, rebuys: int, add_ons: int, stacks: st.DataObject
) -> None:
    pool = prize_pool_minor(DAILY, PoolCounts(entries, rebuys, add_ons))
    assert pool == max(150_000, 1_000 * (entries + rebuys + add_ons))
    players = [f"p{index:03}" for index in range(entries)]
    ranking: dict[str, tuple[int, int]] = {}
    remaining = entries
    queue = list(players)
    while remaining > 1:  # bust random groups (starting stacks from a tiny set: many ties)
        size = stacks.draw(st.integers(1, min(4, remaining - 1)))
        group = [(queue.pop(), stacks.draw(st.sampled_from([100, 200, 300]))) for _ in range(size)]
        group.sort(key=lambda item: players.index(item[0]))
        for who, best, worst in rank_busted(group, remaining):
            ranking[who] = (best, worst)
        remaining -= size
    ranking[queue.pop()] = (1, 1)
    points = DAILY.payout_band(entries).places_basis_points
    payouts = ranked_payouts(ranking, players, pool, points)
    assert sum(payout.amount_minor for payout in payouts) == pool
    by_place = [p.amount_minor for p in sorted(payouts, key=lambda p: (p.place, -p.amount_minor))]
    assert by_place == sorted(by_place, reverse=True)
    assert len({payout.entrant_id for payout in payouts}) == len(payouts)


def test_equal_starting_stacks_tie_and_a_bigger_stack_finishes_higher() -> None:
    assert rank_busted([("a", 500), ("b", 900), ("c", 500)], players_remaining=10) == [
        ("b", 8, 8),
        ("a", 9, 10),
        ("c", 9, 10),
    ]


def test_tied_players_on_the_bubble_share_the_last_paid_place() -> None:
    # Three paid (50/30/20 of 1,001); two bust together with equal stacks at 4 left:
    # they cover places 3 and 4, sharing 200 + 0.
    ranking = {"w": (1, 1), "s": (2, 2), "a": (3, 4), "b": (3, 4)}
    payouts = ranked_payouts(ranking, ["a", "b", "s", "w"], 1_001, (5_000, 3_000, 2_000))
    assert {(p.entrant_id, p.amount_minor) for p in payouts} == {
        ("w", 501),
        ("s", 300),
        ("a", 100),
        ("b", 100),
    }
