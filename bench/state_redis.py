"""Shared state on Redis: login admissions (one Lua script each) and player connection
slots (take + release), against the in-process adapters. Run from the repository root,
Redis on 127.0.0.1:6379:

    PYTHONPATH=. .venv/bin/python bench/state_redis.py [--operations 20000] [--concurrency 64]

Every key goes under a fresh prefix, deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable

from tests.support.redis import delete_prefixed

from croupier.adapters.login_limiter import MemoryLoginLimiter
from croupier.adapters.state.connection import connect_state
from croupier.adapters.state.login_limiter import RedisLoginLimiter
from croupier.adapters.state.presence import RedisPlayerConnections
from croupier.services.accounts import AccountLimits
from croupier.services.accounts.ports import LoginLimiter
from croupier.services.presence import MemoryPlayerConnections, PlayerConnections

LIMITS = AccountLimits(
    login_attempts_per_ip_per_minute=100_000, login_attempts_per_account_per_minute=1_000
)


async def rate(operations: int, concurrency: int, one: Callable[[int], Awaitable[None]]) -> float:
    """Operations per second, ``concurrency`` at a time."""
    queue = iter(range(operations))

    async def worker() -> None:
        for i in queue:
            await one(i)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return operations / (time.perf_counter() - started)


def admissions_of(limiter: LoginLimiter) -> Callable[[int], Awaitable[None]]:
    async def admit(i: int) -> None:
        await limiter.admit(ip=f"10.0.{i % 250}.1", account=f"a{i % 900}", now_s=time.time())

    return admit


def slots_of(connections: PlayerConnections) -> Callable[[int], Awaitable[None]]:
    async def take_and_release(i: int) -> None:
        await connections.take(f"p{i % 1000}", f"g:{i}", 10)
        await connections.release(f"p{i % 1000}", f"g:{i}")

    return take_and_release


async def main(operations: int, concurrency: int) -> None:
    prefix = f"croupier-bench-{secrets.token_hex(4)}"
    state = connect_state(f"redis://127.0.0.1:6379/0?prefix={prefix}")
    try:
        limiters: list[tuple[str, LoginLimiter]] = [
            ("memory", MemoryLoginLimiter(LIMITS)),
            ("redis", RedisLoginLimiter(state, LIMITS)),
        ]
        for name, limiter in limiters:
            per_s = await rate(operations, concurrency, admissions_of(limiter))
            print(f"login admit       {name:6} {per_s:8,.0f}/s")
        for name, connections in [
            ("memory", MemoryPlayerConnections()),
            ("redis", RedisPlayerConnections(state)),
        ]:
            per_s = await rate(operations, concurrency, slots_of(connections))
            print(f"slot take+release {name:6} {per_s:8,.0f}/s")
    finally:
        await state.close()
        await delete_prefixed(prefix)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.operations, arguments.concurrency))
