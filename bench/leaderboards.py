"""Leaderboards: updates per second through the service's counting path, in process and on
Redis, and the latency of rank queries on a board of 1M players. Run from the repository
root, Redis on 127.0.0.1:6379:

    PYTHONPATH=. .venv/bin/python bench/leaderboards.py [--rounds 200000] [--entries 1000000]

Updates: settled rounds (as the handler table hands them over, 1,000 per batch as the
service takes them) on the two shipped boards and a third, ``incr`` of every round, so each
round is three board updates; figures are board updates per second. Queries: a board of
``--entries`` players, then ``--queries`` rank lookups (``ZREVRANK`` + ``ZSCORE``, one round
trip), top-10 pages and around-me windows of random players, one at a time: p50 and p99.
Every Redis key goes under a fresh prefix, deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import statistics
import time
from collections.abc import Awaitable, Callable

from tests.support.redis import delete_prefixed

from croupier.adapters.leaderboard_files import load_leaderboards
from croupier.adapters.state.connection import connect_state
from croupier.adapters.state.leaderboards import RedisBoards
from croupier.domain.engagement.boards import RoundFacts, parse_leaderboard
from croupier.domain.engagement.scores import encode_score
from croupier.services.leaderboards.memory import MemoryBoards
from croupier.services.leaderboards.ports import BoardState, Update, around
from croupier.services.leaderboards.service import LeaderboardService

REDIS = "redis://127.0.0.1:6379/0"
BATCH = 1000
PLAYERS = 100_000


class _NoStore:
    """The counting path reads no store."""


def _service(boards: BoardState) -> LeaderboardService:
    definitions = load_leaderboards()
    extra = parse_leaderboard(
        {"id": "rounds", "sort": "desc", "operator": "incr", "metric": "rounds",
         "reset": "0 0 * * *"},
        where="bench",
    )  # fmt: skip
    definitions[extra.id] = extra
    return LeaderboardService(boards, _NoStore(), definitions, clock_ms=lambda: 0)  # type: ignore[arg-type]


async def updates_per_s(boards: BoardState, rounds: int) -> float:
    service = _service(boards)
    rng = random.Random(7)
    now_ms = time.time_ns() // 10**6
    batches = [
        [
            (
                RoundFacts(
                    f"p{rng.randrange(PLAYERS)}",
                    rng.choice(("lotus-20", "dragon-25")),
                    "EUR",
                    100,
                    rng.choice((0, 0, 0, 50, 200, 1500)),
                ),
                now_ms,
                n,
            )
            for _ in range(BATCH)
        ]
        for n in range(rounds // BATCH)
    ]
    started = time.perf_counter()
    for batch in batches:
        await service.count(batch)
    return 3 * rounds / (time.perf_counter() - started)


async def fill(boards: BoardState, entries: int) -> None:
    rng = random.Random(11)
    if isinstance(boards, MemoryBoards):
        for n in range(entries):
            boards.apply_one(Update("big", f"p{n}", rng.randrange(10**6), n % 3600, "desc", "set"))
        return
    assert isinstance(boards, RedisBoards)
    key = boards.state.key("lb", "big")
    for start in range(0, entries, 10_000):
        chunk = {
            f"p{n}": encode_score(rng.randrange(10**6), n % 3600, sort="desc")
            for n in range(start, min(start + 10_000, entries))
        }
        await boards.state.client.zadd(key, chunk)


async def latencies_ms(
    queries: int, one: Callable[[int], Awaitable[object]]
) -> tuple[float, float]:
    rng = random.Random(13)
    taken = []
    for _ in range(queries):
        n = rng.randrange(10**9)
        started = time.perf_counter()
        await one(n)
        taken.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(taken, n=100)
    return cuts[49], cuts[98]


async def main(rounds: int, entries: int, queries: int) -> None:
    prefix = f"croupier-bench-{secrets.token_hex(4)}"
    state = connect_state(f"{REDIS}?prefix={prefix}")
    try:
        for name, boards in (("memory", MemoryBoards()), ("redis", RedisBoards(state))):
            per_s = await updates_per_s(boards, rounds)
            print(f"updates            {name:6} {per_s:10,.0f}/s")
            await fill(boards, entries)
            assert await boards.size("big") == entries

            async def rank(n: int, boards: BoardState = boards) -> object:
                return await boards.entry("big", f"p{n % entries}", sort="desc")

            async def top(n: int, boards: BoardState = boards) -> object:
                return await boards.top("big", 10, sort="desc")

            async def near(n: int, boards: BoardState = boards) -> object:
                return await around(boards, "big", f"p{n % entries}", 5, sort="desc")

            for what, one in (("rank", rank), ("top 10", top), ("around ±5", near)):
                p50, p99 = await latencies_ms(queries, one)
                print(f"{what:10} @{entries:,} {name:6} p50 {p50:7.3f} ms  p99 {p99:7.3f} ms")
    finally:
        await state.close()
        await delete_prefixed(prefix)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=10_000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rounds, arguments.entries, arguments.queries))
