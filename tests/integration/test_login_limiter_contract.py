"""The ``LoginLimiter`` contract, run against both adapters: in memory (one process) and on
Redis (shared by gateways; a key prefix of the test's own on the local server, deleted
afterwards; skipped when Redis is unreachable, a failure with CROUPIER_REQUIRE_SERVICES=1).
Then what only a shared limiter can promise: two limiters on one Redis, as two gateways
hold them, count every attempt once, and at once never admit past a limit."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable

import pytest

from croupier.adapters.login_limiter import MemoryLoginLimiter
from croupier.adapters.state.connection import RedisState, connect_state
from croupier.adapters.state.login_limiter import RedisLoginLimiter
from croupier.domain.errors import Unavailable
from croupier.services.accounts import (
    AccountLimits,
    TooManyAttempts,
    TooManyRegistrations,
)
from croupier.services.accounts.ports import LoginLimiter
from tests.support.redis import STATE_SECRET, redis_state_url  # noqa: F401  (a fixture)

T0 = 1_800_000_000.0
Make = Callable[[AccountLimits], LoginLimiter]


@pytest.fixture
async def states(request: pytest.FixtureRequest) -> AsyncIterator[list[RedisState]]:
    """Redis connections opened by a test, closed after it."""
    opened: list[RedisState] = []
    yield opened
    for state in opened:
        await state.close()


@pytest.fixture(params=["memory", "redis"])
def make(request: pytest.FixtureRequest, states: list[RedisState]) -> Make:
    """A factory of limiters: each call a new limiter, as a new gateway would hold."""
    if request.param == "memory":
        return MemoryLoginLimiter
    url = str(request.getfixturevalue("redis_state_url"))

    def redis_limiter(limits: AccountLimits) -> LoginLimiter:
        states.append(state := connect_state(url))
        return RedisLoginLimiter(state, limits, STATE_SECRET.encode())

    return redis_limiter


@pytest.fixture
def shared(request: pytest.FixtureRequest, states: list[RedisState]) -> Make:
    """Redis limiters only: every one shares the test's key space."""
    url = str(request.getfixturevalue("redis_state_url"))

    def redis_limiter(limits: AccountLimits) -> LoginLimiter:
        states.append(state := connect_state(url))
        return RedisLoginLimiter(state, limits, STATE_SECRET.encode())

    return redis_limiter


async def test_sliding_window_per_ip(make: Make) -> None:
    limiter = make(AccountLimits(login_attempts_per_ip_per_minute=3))
    for i in range(3):
        await limiter.admit(ip="1.2.3.4", account=f"a{i}", now_s=T0 + i * 10)
    with pytest.raises(TooManyAttempts) as refused:
        await limiter.admit(ip="1.2.3.4", account="a9", now_s=T0 + 30)
    assert refused.value.retry_after_s == 30  # the first attempt leaves the window at T0+60
    await limiter.admit(ip="1.2.3.5", account="a9", now_s=T0 + 30)
    await limiter.admit(ip="1.2.3.4", account="a9", now_s=T0 + 60)
    with pytest.raises(TooManyAttempts):  # the window slides: T0+10, +20, +60 are in it
        await limiter.admit(ip="1.2.3.4", account="a9", now_s=T0 + 61)


async def test_refused_attempts_are_not_counted(make: Make) -> None:
    limiter = make(AccountLimits(login_attempts_per_account_per_minute=2))
    await limiter.admit(ip="ip1", account="a", now_s=T0)
    await limiter.admit(ip="ip2", account="a", now_s=T0 + 1)
    for second in range(2, 59, 7):
        with pytest.raises(TooManyAttempts):
            await limiter.admit(ip="ip3", account="a", now_s=T0 + second)
    await limiter.admit(ip="ip3", account="a", now_s=T0 + 60)


async def test_lockout_counts_consecutive_failures_only(make: Make) -> None:
    limiter = make(AccountLimits(login_failures_max=3, lockout_s=100))
    for _ in range(2):
        await limiter.record_failure(ip="ip", account="a", now_s=T0)
    await limiter.record_success(ip="ip", account="a", now_s=T0)
    for _ in range(2):  # from a known address now: its own count
        await limiter.record_failure(ip="ip", account="a", now_s=T0)
    await limiter.admit(ip="ip", account="a", now_s=T0)
    await limiter.record_failure(ip="ip", account="a", now_s=T0)
    with pytest.raises(TooManyAttempts) as refused:
        await limiter.admit(ip="ip", account="a", now_s=T0 + 0.5)
    assert refused.value.retry_after_s == 100  # rounded up, never 0
    await limiter.admit(ip="ip", account="a", now_s=T0 + 100)
    await limiter.admit(ip="ip", account="b", now_s=T0 + 0.5)  # other accounts are free


async def test_an_attacker_cannot_lock_a_player_out_of_an_address_they_use(make: Make) -> None:
    limiter = make(AccountLimits(login_failures_max=5, lockout_s=900))
    await limiter.admit(ip="home", account="ada", now_s=T0)
    await limiter.record_success(ip="home", account="ada", now_s=T0)
    for i in range(5):
        await limiter.admit(ip=f"botnet-{i}", account="ada", now_s=T0 + 1)
        await limiter.record_failure(ip=f"botnet-{i}", account="ada", now_s=T0 + 1)
    with pytest.raises(TooManyAttempts):  # a new address: locked
        await limiter.admit(ip="hotel", account="ada", now_s=T0 + 2)
    for _ in range(20):  # the account's per-minute window does not hold her back either
        await limiter.admit(ip="home", account="ada", now_s=T0 + 2)
    for _ in range(5):  # typos at home count, at home only
        await limiter.record_failure(ip="home", account="ada", now_s=T0 + 3)
    with pytest.raises(TooManyAttempts):
        await limiter.admit(ip="home", account="ada", now_s=T0 + 4)


async def test_registrations_per_ip(make: Make) -> None:
    limiter = make(AccountLimits(registrations_per_ip_per_minute=2))
    await limiter.admit_registration(ip="ip", now_s=T0)
    await limiter.admit_registration(ip="ip", now_s=T0 + 1)
    with pytest.raises(TooManyRegistrations) as refused:
        await limiter.admit_registration(ip="ip", now_s=T0 + 2)
    assert refused.value.retry_after_s == 58
    await limiter.admit_registration(ip="other", now_s=T0 + 2)
    await limiter.admit_registration(ip="ip", now_s=T0 + 60)


# -- shared by gateways: Redis only -------------------------------------------------------------
async def test_a_lockout_reached_through_two_gateways_counts_each_failure_once(
    shared: Make,
) -> None:
    limits = AccountLimits(login_failures_max=4, lockout_s=300)
    one, two = shared(limits), shared(limits)
    for i in range(4):  # alternately through each gateway: 4 failures, not 2 and 2
        gateway = (one, two)[i % 2]
        await gateway.admit(ip=f"ip{i}", account="ada", now_s=T0)
        await gateway.record_failure(ip=f"ip{i}", account="ada", now_s=T0)
    for gateway in (one, two):
        with pytest.raises(TooManyAttempts) as refused:
            await gateway.admit(ip="ip9", account="ada", now_s=T0 + 1)
        assert refused.value.retry_after_s == 299


async def test_two_gateways_at_once_never_admit_past_a_limit(shared: Make) -> None:
    limits = AccountLimits(login_attempts_per_ip_per_minute=25, registrations_per_ip_per_minute=7)
    gateways = [shared(limits), shared(limits)]

    async def attempt(i: int) -> bool:
        try:
            await gateways[i % 2].admit(ip="one-ip", account=f"a{i}", now_s=T0 + i / 1000)
        except TooManyAttempts:
            return False
        return True

    async def register(i: int) -> bool:
        try:
            await gateways[i % 2].admit_registration(ip="one-ip", now_s=T0 + i / 1000)
        except TooManyRegistrations:
            return False
        return True

    admitted = await asyncio.gather(*(attempt(i) for i in range(200)))
    registered = await asyncio.gather(*(register(i) for i in range(50)))
    assert sum(admitted) == 25
    assert sum(registered) == 7


async def test_every_key_expires_and_none_holds_an_address_or_email(
    shared: Make, states: list[RedisState]
) -> None:
    limiter = shared(AccountLimits(login_failures_max=2))
    ip, other, account = "192.0.2.77", "198.51.100.77", "ada@example.com"
    await limiter.admit_registration(ip=ip, now_s=T0)
    await limiter.admit(ip=ip, account=account, now_s=T0)
    await limiter.record_failure(ip=ip, account=account, now_s=T0)
    await limiter.record_success(ip=ip, account=account, now_s=T0)
    await limiter.record_failure(ip=ip, account=account, now_s=T0)
    await limiter.record_failure(ip=other, account=account, now_s=T0)
    state = states[-1]  # the limiter's own connection
    keys = [key async for key in state.client.scan_iter(match=f"{state.prefix}:*")]
    assert len(keys) == 6  # register, ip, account, known, 2 × failures
    for key in keys:
        assert 0 < await state.client.ttl(key) <= 91 * 86_400, key
        stored = key + b"".join(
            member
            for member in (
                await state.client.zrange(key, 0, -1)
                if await state.client.type(key) == b"zset"
                else []
            )
        )
        for personal in (ip, other, account):
            assert personal.encode() not in stored, key
            # nor a plain hash of it, which anyone could compute for every IPv4 address
            assert hashlib.sha256(personal.encode()).hexdigest()[:32].encode() not in stored


async def test_an_unreachable_redis_refuses_rather_than_admits(states: list[RedisState]) -> None:
    states.append(state := connect_state("redis://127.0.0.1:1/0?prefix=nowhere"))
    limiter = RedisLoginLimiter(state, AccountLimits(), STATE_SECRET.encode())
    with pytest.raises(Unavailable):
        await limiter.admit(ip="ip", account="a", now_s=T0)
    with pytest.raises(Unavailable):
        await limiter.admit_registration(ip="ip", now_s=T0)


@pytest.mark.parametrize(
    "url",
    [
        "redis+sentinel://127.0.0.1:26379/mymaster/2/extra",
        "redis+sentinel://127.0.0.1/mymaster",
        "redis+sentinel://127.0.0.1:26379",
        "redis://127.0.0.1:6379/0?prefix=a:b",
        "redis://127.0.0.1:6379/0?colour=blue",
        "memcached://127.0.0.1",
    ],
)
def test_a_bad_state_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        connect_state(url)


async def test_a_sentinel_url_names_the_primary(states: list[RedisState]) -> None:
    states.append(state := connect_state("redis+sentinel://127.0.0.1:1,[::1]:2/prod/3?prefix=p"))
    assert state.prefix == "p"
    assert state.client.connection_pool.service_name == "prod"  # type: ignore[attr-defined]
    assert state.client.connection_pool.connection_kwargs["db"] == 3
