"""The ``SpinPacer`` contract (the last slot spin per player, checked and recorded in one
step), on both adapters: in process, and on Redis (a key prefix of the test's own, deleted
afterwards). Then what only the shared one promises: two compliance gates (two gateways),
each with its own Redis connection, let exactly one of a player's concurrent spins through,
and a spin given back on one is seen by the other."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from croupier.adapters.geo import SandboxLocationProvider
from croupier.adapters.jurisdiction_files import load_profiles
from croupier.adapters.state.connection import RedisState, connect_state
from croupier.adapters.state.pacing import RedisSpinPacer
from croupier.domain.accounts import Player
from croupier.domain.compliance.registry import JurisdictionProfiles
from croupier.domain.errors import SpinTooFast
from croupier.services.compliance.gate import ComplianceGate, GameFacts
from croupier.services.compliance.pacing import MemorySpinPacer, SpinPacer
from tests.support.redis import redis_state_url  # noqa: F401  (a fixture)

pytestmark = pytest.mark.timeout(60)

Make = Callable[[], SpinPacer]
T0 = 1_780_000_000_000_000  # µs since the epoch, in 2026
SECOND = 1_000_000


@pytest.fixture
async def states() -> AsyncIterator[list[RedisState]]:
    opened: list[RedisState] = []
    yield opened
    for state in opened:
        await state.close()


def redis_factory(request: pytest.FixtureRequest, states: list[RedisState]) -> Make:
    url = str(request.getfixturevalue("redis_state_url"))

    def make() -> SpinPacer:
        states.append(state := connect_state(url))
        return RedisSpinPacer(state)

    return make


@pytest.fixture(params=["memory", "redis"])
def make(request: pytest.FixtureRequest, states: list[RedisState]) -> Make:
    if request.param == "memory":
        return MemorySpinPacer
    return redis_factory(request, states)


@pytest.fixture
def shared(request: pytest.FixtureRequest, states: list[RedisState]) -> Make:
    return redis_factory(request, states)


async def test_a_spin_passes_once_the_interval_is_over_and_not_a_microsecond_before(
    make: Make,
) -> None:
    pacer = make()
    interval = 2_500_000
    first = await pacer.take("p1", T0, interval)
    assert first.taken and first.previous_us is None
    early = await pacer.take("p1", T0 + interval - 1, interval)
    assert not early.taken and early.previous_us == T0  # the refusal's reason
    assert (await pacer.take("p2", T0 + 1, interval)).taken  # another player: its own pace
    on_time = await pacer.take("p1", T0 + interval, interval)
    assert on_time.taken and on_time.previous_us == T0
    stepped_back = await pacer.take("p1", T0, interval)  # a clock stepped back: refused
    assert not stepped_back.taken
    assert (await pacer.take("p1", T0 + interval + 1, 0)).taken  # no interval: always


async def test_a_spin_given_back_restores_the_one_before_unless_another_replaced_it(
    make: Make,
) -> None:
    pacer = make()
    interval = 5 * SECOND
    await pacer.take("p1", T0, interval)
    taken = await pacer.take("p1", T0 + interval, interval)
    await pacer.give_back("p1", T0 + interval, taken.previous_us)
    # The next spin counts from the first again: at once is fine.
    again = await pacer.take("p1", T0 + interval + 1, interval)
    assert again.taken and again.previous_us == T0
    await pacer.give_back("p1", T0 + interval, T0)  # not the last any more: nothing changes
    assert not (await pacer.take("p1", T0 + interval + 2, interval)).taken
    await pacer.give_back("p1", T0 + interval + 1, T0)
    await pacer.give_back("p1", T0, None)  # the very first spin given back: no record
    assert (await pacer.take("p1", T0 + 3, interval)).previous_us is None


async def test_concurrent_spins_through_two_connections_let_exactly_one_through(
    shared: Make,
) -> None:
    pacers = [shared(), shared()]
    taken = await asyncio.gather(*(pacers[i % 2].take("p1", T0 + i, 2_500_000) for i in range(40)))
    assert sum(answer.taken for answer in taken) == 1


NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
UK_PLAYER = Player("p-uk", "uk@example.com", "GB", "GBP", date(1990, 1, 1), NOW)


def _gate(pacer: SpinPacer, clock: Callable[[], datetime]) -> ComplianceGate:
    profiles = JurisdictionProfiles.build(load_profiles(), None)
    games = {"lotus-20": GameFacts("slots", 9400), "roulette": GameFacts("roulette")}
    return ComplianceGate(profiles, SandboxLocationProvider(), games, clock=clock, pacer=pacer)


async def test_two_gateways_on_one_redis_let_one_of_a_uk_player_s_spins_through(
    shared: Make,
) -> None:
    now = [NOW]
    gateways = [_gate(shared(), lambda: now[0]) for _ in range(2)]

    async def spin(gate: ComplianceGate) -> bool:
        try:
            return await gate.take_spin(UK_PLAYER, "lotus-20") is not None
        except SpinTooFast:
            return False

    answers = await asyncio.gather(*(spin(gateways[i % 2]) for i in range(10)))
    assert sum(answers) == 1
    now[0] += timedelta(milliseconds=1_000)
    with pytest.raises(SpinTooFast) as refused:  # the other gateway knows the spin too
        await gateways[1].take_spin(UK_PLAYER, "lotus-20")
    assert refused.value.retry_after_s == 2  # 1.5 s left, rounded up
    now[0] += timedelta(milliseconds=1_500)
    taken = await gateways[1].take_spin(UK_PLAYER, "lotus-20")
    assert taken is not None
    await gateways[1].give_back_spin(UK_PLAYER, taken)  # its round was refused whole
    assert await gateways[0].take_spin(UK_PLAYER, "lotus-20") is not None
    # Not a slot: no pacing, no record.
    assert await gateways[0].take_spin(UK_PLAYER, "roulette") is None


async def test_an_unpaced_profile_makes_no_round_trip(make: Make) -> None:
    pacer = make()
    gate = _gate(pacer, lambda: NOW)
    maltese = Player("p-mt", "mt@example.com", "MT", "EUR", date(1990, 1, 1), NOW)
    for _ in range(3):
        assert await gate.take_spin(maltese, "lotus-20") is None
    uk = await pacer.take("p-mt", 0, SECOND)
    assert uk.previous_us is None  # nothing was recorded for the Maltese spins
