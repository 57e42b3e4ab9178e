"""The ``BoardState`` contract on both adapters (in process; Redis under a key prefix of the
test's own, deleted afterwards): ranks, pages and the players around one match a brute-force
model (Hypothesis) for every operator and sort, ties going to the earlier score."""

from __future__ import annotations

import asyncio
import concurrent.futures
import secrets
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from croupier.adapters.state.connection import connect_state
from croupier.adapters.state.leaderboards import RedisBoards
from croupier.domain.engagement.scores import SCORE_MAX, TIME_MAX_S
from croupier.services.leaderboards.memory import MemoryBoards
from croupier.services.leaderboards.ports import BoardState, Update, around
from tests.conftest import service_unavailable
from tests.support.redis import REDIS_URL, STEP_TIMEOUT_S


@pytest.fixture(params=["memory", "redis"])
async def boards(request: pytest.FixtureRequest) -> AsyncIterator[BoardState]:
    if request.param == "memory":
        yield MemoryBoards()
        return
    state = connect_state(str(request.getfixturevalue("sync_redis_url")))
    adapter = RedisBoards(state, owns_state=True)
    yield adapter
    await adapter.close()


MakeBoards = Callable[[], BoardState]


@pytest.fixture
def sync_redis_url() -> Iterator[str]:
    """As ``redis_state_url``, for a test that is not a coroutine."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=STEP_TIMEOUT_S)
    try:
        client.ping()
    except redis.RedisError as error:
        service_unavailable(f"Redis unreachable at {REDIS_URL}: {error}")
    prefix = f"croupier-t-{secrets.token_hex(4)}"
    try:
        yield f"{REDIS_URL}?prefix={prefix}"
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(params=["memory", "redis"])
def make_boards(request: pytest.FixtureRequest) -> MakeBoards:
    """For a sync Hypothesis test: each example opens its own adapter on its own loop."""
    if request.param == "memory":
        return MemoryBoards
    url = str(request.getfixturevalue("sync_redis_url"))
    return lambda: RedisBoards(connect_state(url), owns_state=True)


def model_ranking(updates: list[Update], sort: str) -> list[tuple[str, int, int]]:
    """The brute force: each player's kept (score, time), then everyone sorted."""
    kept: dict[str, tuple[int, int]] = {}
    for update in updates:
        old = kept.get(update.player_id)
        score = min(update.score, SCORE_MAX)
        if update.operator == "incr" and old is not None:
            score = min(old[0] + update.score, SCORE_MAX)
        new = (score, update.t_s)
        if update.operator == "best" and old is not None:
            better = score > old[0] if sort == "desc" else score < old[0]
            if not better:
                continue
        kept[update.player_id] = new

    def order(item: tuple[str, tuple[int, int]]) -> tuple[int, int, str]:
        player, (score, t_s) = item
        # best first: better score, then earlier, then (Redis' REV order) larger player id
        return (-score if sort == "desc" else score, t_s, _inverted(player))

    return [(player, s, t) for player, (s, t) in sorted(kept.items(), key=order)]


def _inverted(player: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in player)


players = st.sampled_from(["ann", "bob", "cy", "dee", "eve", "fay"])
scores = st.one_of(st.integers(0, 20), st.just(SCORE_MAX), st.integers(0, SCORE_MAX + 10))
times = st.one_of(st.integers(0, 5), st.just(TIME_MAX_S), st.integers(0, TIME_MAX_S))


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sort=st.sampled_from(["desc", "asc"]),
    operator=st.sampled_from(["best", "set", "incr"]),
    moves=st.lists(st.tuples(players, scores, times), max_size=25),
    radius=st.integers(0, 3),
    pick=st.integers(0, 50),
)
def test_ranks_match_a_brute_force_model(
    make_boards: MakeBoards,
    sort: str,
    operator: str,
    moves: list[tuple[str, int, int]],
    radius: int,
    pick: int,
) -> None:
    async def example() -> None:
        boards = make_boards()
        try:
            await check(boards, sort, operator, moves, radius, pick)
        finally:
            await boards.close()

    # on a thread of its own: this test's thread may already run pytest-asyncio's loop
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, example()).result(timeout=STEP_TIMEOUT_S)


async def check(
    boards: BoardState,
    sort: str,
    operator: str,
    moves: list[tuple[str, int, int]],
    radius: int,
    pick: int,
) -> None:
    key = f"p-{sort}-{operator}"
    await boards.delete(key)
    # time runs forward: each update comes no earlier than the one before it
    chronological = sorted(t_s for _, _, t_s in moves)
    updates = [
        Update(key, player, score, t_s, sort, operator)
        for (player, score, _), t_s in zip(moves, chronological, strict=True)
    ]
    await boards.apply(updates)
    expected = model_ranking(updates, sort)
    board = await boards.top(key, 100, sort=sort)
    assert [(e.player_id, e.score, e.t_s) for e in board] == expected
    assert [e.rank for e in board] == list(range(1, len(expected) + 1))
    assert await boards.size(key) == len(expected)
    for rank, (player, score, _) in enumerate(expected, start=1):
        own = await boards.entry(key, player, sort=sort)
        assert own is not None and (own.rank, own.score) == (rank, score)
    if expected:
        me = pick % len(expected)
        player = expected[me][0]
        window = expected[max(me - radius, 0) : me + radius + 1]
        near = await around(boards, key, player, radius, sort=sort)
        assert [e.player_id for e in near] == [p for p, _, _ in window]
    assert await boards.entry(key, "nobody", sort=sort) is None
    await boards.delete(key)


async def test_equal_scores_rank_the_earlier_first(boards: BoardState) -> None:
    await boards.apply(
        [
            Update("ties", "late", 500, 90, "desc", "best"),
            Update("ties", "early", 500, 30, "desc", "best"),
            Update("ties", "early", 500, 95, "desc", "best"),  # the same score again: kept at 30
            Update("ties", "low", 499, 0, "desc", "best"),
        ]
    )
    board = await boards.top("ties", 10, sort="desc")
    assert [(e.player_id, e.score, e.t_s) for e in board] == [
        ("early", 500, 30),
        ("late", 500, 90),
        ("low", 499, 0),
    ]
    await boards.delete("ties")
    assert await boards.top("ties", 10, sort="desc") == []
