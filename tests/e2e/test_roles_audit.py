"""Gateways append to the audit trail straight to PostgreSQL (the trail is not money: it
does not go through the ledger writer), once the writer has applied its migration; several
gateways appending share one unbroken chain."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.support.nats import nats_stream_url  # noqa: F401  (a fixture)
from tests.support.roles import WAIT_S, Roles, wait_active

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def roles(postgres_url: str, nats_stream_url: str) -> Iterator[Roles]:  # noqa: F811
    started = Roles(postgres_url, nats_stream_url)
    try:
        yield started
    finally:
        started.stop_all()


def _audit(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "croupier", "audit", *args, "--database-url", database_url],
        check=False,
        capture_output=True,
        text=True,
        timeout=WAIT_S,
    )


def test_two_gateways_record_into_one_chain(roles: Roles) -> None:
    wait_active(roles.writer("writer"))
    first, second = roles.gateway("gateway-a"), roles.gateway("gateway-b")

    started = _audit(roles.database_url, "query", "--action", "server.started")
    intact = _audit(roles.database_url, "verify")

    assert started.returncode == 0, started.stderr
    rows = [json.loads(line) for line in started.stdout.splitlines()]
    assert [row["after"] for row in rows] == [{"role": "gateway"}] * 2
    assert [row["seq"] for row in rows] == [1, 2]
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert intact.stdout.startswith("audit trail intact: 2 records")
    for gateway in (first, second):
        assert '"action": "server.started"' in gateway.output()
