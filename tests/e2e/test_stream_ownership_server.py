"""The issue-13 reproduction at the process level: a server with a new ledger, pointed at a
NATS stream an earlier server's ledger filled, refuses to start with a clear message (before
the fix it started, skipped its own first events, and a resuming client was closed with
1011 "events are missing"). The earlier ledger itself still starts on its stream."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.e2e.test_realtime import _funded_player
from tests.support.nats import nats_stream_url  # noqa: F401  (a fixture)
from tests.support.server import free_port, running_server, start_server

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def stream_url(request: pytest.FixtureRequest) -> str:
    """A JetStream stream of the test's own (``nats_stream_url``), deleted afterwards."""
    return str(request.getfixturevalue("nats_stream_url"))


def test_a_new_ledger_on_an_earlier_ledgers_stream_refuses_to_start(
    tmp_path: Path, stream_url: str
) -> None:
    first = f"sqlite:///{tmp_path}/first.db"
    with running_server(first, CROUPIER_STREAM_URL=stream_url) as base:
        _funded_player(base, "first@example.com")

    with tempfile.TemporaryFile() as log:
        process = start_server(
            f"sqlite:///{tmp_path}/second.db",
            free_port(),
            log,
            CROUPIER_STREAM_URL=stream_url,
        )
        try:
            code = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
        log.seek(0)
        output = log.read().decode()
    assert code != 0, output
    assert "the event stream holds the events of another ledger" in output
    assert "stream=NEW_NAME" in output  # and says what to do

    with running_server(first, CROUPIER_STREAM_URL=stream_url) as base:
        _funded_player(base, "again@example.com")
