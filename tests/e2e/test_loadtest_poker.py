"""``croupier loadtest --mode poker`` against a real server: bots sit at two live cash
tables, play hands over the WebSocket without a single refusal, and leave; the tables end
empty and ``croupier ledger verify`` (with its escrow check at every commit) passes."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.e2e.test_loadtest import assert_ordered, loadtest
from tests.support.poker_ws import ledger_verified
from tests.support.server import running_server

#: One table per holdem-* table file: at least the two tables played at.
TWO_TABLES = {"CROUPIER_POKER_TABLES_PER_GAME": "1"}


def test_bots_play_hands_at_two_tables_and_leave_the_escrow_balanced(
    database_url: str, tmp_path: Path
) -> None:
    with running_server(database_url, **TWO_TABLES) as base:
        args = "--mode poker --tables 2 --seats 3 --seconds 4 --seed 17"
        report = loadtest(base, tmp_path / "state.json", args)
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
