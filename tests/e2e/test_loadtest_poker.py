"""``croupier loadtest --mode poker`` against a real server: bots sit at two live cash
tables, play hands over the WebSocket without a single refusal, and leave; the tables end
empty and ``croupier ledger verify`` (with its escrow check at every commit) passes."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.test_loadtest import assert_ordered
from tests.support.poker_ws import ledger_verified
from tests.support.server import free_port, start_server, stop, wait_ready

#: One table per holdem-* table file: at least the two tables played at.
TWO_TABLES = {"CROUPIER_POKER_TABLES_PER_GAME": "1"}
#: Opening the tables adds to the start; a busy shared machine may need more than 30 s.
READY_S = 120


#: Six argon2 registrations, the hands and the bots paid out, on a busy shared machine.
RUN_TIMEOUT_S = 300


def poker_loadtest(base: str, state: Path, args: str) -> dict[str, Any]:
    """``croupier loadtest --mode poker --json ARGS`` against ``base``: its report."""
    command = [sys.executable, "-m", "croupier", "loadtest", "--url", base, "--mode", "poker"]
    command += ["--state-file", str(state), "--json", *shlex.split(args)]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@contextmanager
def poker_server(database_url: str) -> Iterator[str]:
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = start_server(database_url, port, log, **TWO_TABLES)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, process, log, timeout_s=READY_S)
            yield base
        finally:
            stop(process)


def test_bots_play_hands_at_two_tables_and_leave_the_escrow_balanced(
    database_url: str, tmp_path: Path
) -> None:
    with poker_server(database_url) as base:
        args = "--tables 2 --seats 3 --seconds 4 --seed 17"
        report = poker_loadtest(base, tmp_path / "state.json", args)
        lobby = httpx.get(f"{base}/v1/poker/tables", timeout=10).json()["items"]
    assert report["mode"] == "poker" and report["players"] == 6
    assert report["tables"] == 2 and report["seats_per_table"] == 3
    assert report["hands"] > 0 and report["hands_per_s"] > 0
    assert report["actions"] > 0 and report["actions"] <= report["sent"]
    assert report["errors"] == {} and report["errors_total"] == 0, report
    assert report["connections_lost"] == 0
    assert_ordered(report)
    assert report["setup"]["registered"] == 6 and report["setup"]["funded"] == 6
    # every bot left and was paid out: no seat, no hand, so the escrow holds nothing
    assert lobby and all(t["seats_taken"] == 0 and not t["hand_in_progress"] for t in lobby)
    ledger_verified(database_url)
