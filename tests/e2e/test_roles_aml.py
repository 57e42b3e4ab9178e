"""In a cluster the AML engine runs on the active ``croupier writer``, where the handler table
hears commits: a deposit through a gateway raises its flag once, and the gateway (which runs
no engine) raises none of its own."""

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
    started = Roles(postgres_url, nats_stream_url)
    try:
        yield started
    finally:
        started.stop_all()


def _flags(database_url: str) -> list[tuple[str, ...]]:
    return asyncio.run(raw_fetch(database_url, "SELECT rule, player_id FROM risk_flags"))


def test_the_writer_flags_a_deposit_made_through_a_gateway(roles: Roles) -> None:
    wait_active(roles.writer("writer"))
    gateway = roles.gateway("gateway")
    funded_player(gateway.url, "big@example.com", 2000_00)  # the EU CDD threshold at once
    deadline = time.monotonic() + WAIT_S
    flags = _flags(roles.database_url)
    while not flags and time.monotonic() < deadline:  # raised just after the commit
        flags = _flags(roles.database_url)
    assert [rule for rule, _ in flags] == ["cdd-threshold"]
    funded_player(gateway.url, "small@example.com", 10_00)
    assert [rule for rule, _ in _flags(roles.database_url)] == ["cdd-threshold"]
