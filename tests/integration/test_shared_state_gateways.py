"""Two gateways, one Redis, one database (issue 13, section 2). Two server processes cannot
share a database today (the ledger's writer lock), so the sharing is proved where it lives:
two account services, each with its own player-store connection and its own Redis
connection, wired by ``bootstrap.make_shared_state`` from ``CROUPIER_STATE_URL`` as two
gateways would be. A lock-out reached through both counts every failure once; a session
revoked through one is refused by the other; a registration limit holds across both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest

from croupier.bootstrap import make_player_store, make_shared_state
from croupier.config import Settings
from croupier.services.accounts import (
    AccountLimits,
    AccountService,
    AuthenticationFailed,
    TooManyAttempts,
    TooManyRegistrations,
)
from tests.support.accounts import GOOD_PASSWORD, SettableClock, fast_hasher
from tests.support.ledger import open_test_ledger
from tests.support.redis import STATE_SECRET, redis_state_url  # noqa: F401  (a fixture)
from tests.support.vault import open_test_vault

pytestmark = pytest.mark.timeout(60)

LIMITS = AccountLimits(login_failures_max=4, lockout_s=600, registrations_per_ip_per_minute=3)


@pytest.fixture
def state_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("redis_state_url"))


@pytest.fixture
async def gateways(
    database_url: str, state_url: str
) -> AsyncIterator[tuple[AccountService, AccountService]]:
    settings = dataclasses.replace(
        Settings(),
        database_url=database_url,
        accounts=LIMITS,
        state_url=state_url,
        state_secret=STATE_SECRET.encode(),
    )
    clock = SettableClock()
    async with AsyncExitStack() as stack:
        ledger = await open_test_ledger(database_url)
        stack.push_async_callback(ledger.close)
        services = []
        for _ in range(2):
            store = make_player_store(database_url, await open_test_vault(database_url))
            await store.open()
            stack.push_async_callback(store.close)
            shared = make_shared_state(settings)
            limiter = shared.limiter
            for close in shared.closers:
                stack.push_async_callback(close)
            hasher = fast_hasher()
            stack.callback(hasher.close)
            services.append(
                AccountService(
                    store,
                    ledger,
                    clock=clock,
                    limits=LIMITS,
                    limiter=limiter,
                    hasher=hasher,
                    common_passwords=frozenset(),
                )
            )
        yield services[0], services[1]


async def register(service: AccountService, email: str, ip: str = "192.0.2.1") -> None:
    await service.register(
        email=email,
        password=GOOD_PASSWORD,
        date_of_birth="1990-04-01",
        country="DE",
        currency="EUR",
        ip=ip,
    )


async def test_a_lockout_reached_through_two_gateways_counts_once(
    gateways: tuple[AccountService, AccountService],
) -> None:
    one, two = gateways
    await register(one, "ada@example.com")
    for attempt in range(LIMITS.login_failures_max):  # 2 through each: 4 failures in all
        with pytest.raises(AuthenticationFailed):
            await (one, two)[attempt % 2].login(
                email="ada@example.com", password="wrong password!", ip=f"198.51.100.{attempt}"
            )
    for gateway in (one, two):  # locked everywhere, even with the right password
        with pytest.raises(TooManyAttempts):
            await gateway.login(email="ada@example.com", password=GOOD_PASSWORD, ip="203.0.113.9")


async def test_a_session_revoked_through_one_gateway_is_refused_by_the_other(
    gateways: tuple[AccountService, AccountService],
) -> None:
    one, two = gateways
    await register(one, "bo@example.com")
    session = await one.login(email="bo@example.com", password=GOOD_PASSWORD, ip="192.0.2.7")
    assert (await two.authenticate(session.token)).player_id == session.player.player_id
    await two.logout(session.token)
    for gateway in (one, two):
        with pytest.raises(AuthenticationFailed):
            await gateway.authenticate(session.token)


async def test_the_registration_limit_holds_across_gateways(
    gateways: tuple[AccountService, AccountService],
) -> None:
    one, two = gateways
    for i in range(LIMITS.registrations_per_ip_per_minute):
        await register((one, two)[i % 2], f"p{i}@example.com", ip="192.0.2.50")
    for gateway in (one, two):
        with pytest.raises(TooManyRegistrations):
            await register(gateway, "late@example.com", ip="192.0.2.50")
