"""In a cluster the engagement tally runs on the active ``croupier writer``, where the handler
table hears commits: a deposit through a gateway reaches its daily activity row, which the
gateways read for segments and recommendations. So do the leaderboards: rounds played
through a gateway are counted by the writer into Redis, and every gateway answers from
there."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.held import funded_player
from tests.support.nats import nats_stream_url  # noqa: F401  (a fixture)
from tests.support.raw_sql import raw_fetch
from tests.support.redis import STATE_SECRET, redis_state_url  # noqa: F401  (a fixture)
from tests.support.roles import WAIT_S, Roles, wait_active

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def roles(postgres_url: str, nats_stream_url: str) -> Iterator[Roles]:  # noqa: F811
    started = Roles(postgres_url, nats_stream_url, env={"CROUPIER_ENGAGEMENT_FLUSH_S": "1"})
    try:
        yield started
    finally:
        started.stop_all()


def _deposits(database_url: str) -> list[tuple[int, ...]]:
    return asyncio.run(raw_fetch(database_url, "SELECT deposits_minor FROM engagement_days"))


def test_the_writer_counts_a_deposit_made_through_a_gateway(roles: Roles) -> None:
    wait_active(roles.writer("writer"))
    gateway = roles.gateway("gateway")
    funded_player(gateway.url, "counted@example.com", 25_00)
    deadline = time.monotonic() + WAIT_S
    found = _deposits(roles.database_url)
    while not found and time.monotonic() < deadline:  # written at the tally's next flush
        time.sleep(0.2)
        found = _deposits(roles.database_url)
    assert found == [(25_00,)]


@pytest.fixture
def redis_roles(
    postgres_url: str,
    nats_stream_url: str,  # noqa: F811
    request: pytest.FixtureRequest,
) -> Iterator[Roles]:
    state = {
        "CROUPIER_STATE_URL": str(request.getfixturevalue("redis_state_url")),
        "CROUPIER_STATE_SECRET": STATE_SECRET,
    }
    started = Roles(postgres_url, nats_stream_url, env=state)
    try:
        yield started
    finally:
        started.stop_all()


def test_the_writer_counts_rounds_played_through_gateways_on_the_leaderboards(
    redis_roles: Roles,
) -> None:
    wait_active(redis_roles.writer("writer"))
    one, two = redis_roles.gateway("gateway-1"), redis_roles.gateway("gateway-2")
    auth = funded_player(one.url, "ranked@example.com", 100_00)
    with httpx.Client(base_url=one.url, headers=auth, timeout=30) as client:
        for spin in range(3):
            played = client.post(
                "/v1/games/lotus-20/rounds",
                json={"stake": 160},
                headers={"Idempotency-Key": f"cluster-spin-{spin}"},
            )
            assert played.status_code in (200, 201), played.text
    deadline = time.monotonic() + WAIT_S
    with httpx.Client(base_url=two.url, headers=auth, timeout=30) as other:
        while True:  # counted after the commit, on the writer's own task
            me = other.get("/v1/leaderboards/weekly-wagered-eur/me")
            assert me.status_code == 200, me.text
            entry = me.json()["entry"]
            if entry is not None and entry["score"] == 480:
                break
            assert time.monotonic() < deadline, f"not counted within {WAIT_S} s: {entry}"
            time.sleep(0.2)
        assert entry["rank"] == 1
