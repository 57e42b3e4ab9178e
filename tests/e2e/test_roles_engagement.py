"""In a cluster the engagement tally runs on the active ``croupier writer``, where the handler
table hears commits: a deposit through a gateway reaches its daily activity row, which the
gateways read for segments and recommendations."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from tests.support.held import funded_player
from tests.support.nats import nats_stream_url  # noqa: F401  (a fixture)
from tests.support.raw_sql import raw_fetch
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
