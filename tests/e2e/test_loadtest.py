"""``croupier loadtest`` against a real server for a few seconds: the JSON report of each
mode is sane and the histogram is a PNG. The last tests cover the parts that need no server."""

from __future__ import annotations

import asyncio
import json
import shlex
import stat
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from croupier.loadtest.client import ws_url
from croupier.loadtest.plot import plot_histogram
from croupier.loadtest.rounds import RoundsDriver, RoundsPlan
from croupier.loadtest.stats import Latencies, Tally
from croupier.loadtest.tokens import CachedSession, TokenCache
from tests.support.server import free_port, start_server, stop, wait_ready

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """One server for the module (its base URL and pid): each run is only a few seconds."""
    database = tmp_path_factory.mktemp("loadtest") / "ledger.db"
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = start_server(f"sqlite:///{database}", port, log)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, process, log)
            yield base, process.pid
        finally:
            stop(process)


def loadtest(base: str, state: Path, args: str) -> dict[str, Any]:
    """``croupier loadtest --url BASE --state-file STATE --json ARGS``: its report."""
    command = [sys.executable, "-m", "croupier", "loadtest", "--url", base]
    command += ["--state-file", str(state), "--json", *shlex.split(args)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def assert_ordered(report: dict[str, Any], prefix: str = "") -> None:
    p50, p95, p99, top = (report[f"{prefix}{p}_ms"] for p in ("p50", "p95", "p99", "max"))
    assert 0 < p50 <= p95 <= p99 <= top, report


def test_rounds_closed_then_open_loop_with_reused_players(
    server: tuple[str, int], tmp_path: Path
) -> None:
    base, pid = server
    state, plot = tmp_path / "state.json", tmp_path / "rounds.png"
    closed = loadtest(base, state, f"--players 3 --seconds 2 --server-pid {pid} --plot {plot}")
    assert closed["mode"] == "rounds" and closed["loop"] == "closed"
    assert closed["rounds"] > 0 and closed["rounds"] == closed["sent"]
    assert closed["errors"] == {} and closed["errors_total"] == 0
    assert closed["connections_lost"] == 0
    assert_ordered(closed)
    assert 0 < closed["rounds_per_s"] <= closed["rounds_per_s_cap"] * 1.05
    assert closed["setup"]["registered"] == 3 and closed["setup"]["funded"] == 3
    assert closed["server_cpu_pct"] is not None and closed["server_cpu_pct"] > 0
    assert plot.read_bytes().startswith(PNG_MAGIC) and closed["plot"] == str(plot)
    assert stat.S_IMODE(state.stat().st_mode) == 0o600  # it holds live tokens

    opened = loadtest(base, state, "--players 3 --seconds 2 --rate 30")
    assert opened["loop"] == "open" and opened["errors_total"] == 0
    assert opened["setup"]["reused"] == 3 and opened["setup"]["logged_in"] == 0
    assert opened["sent"] == 60 and opened["rounds"] == 60  # 30/s for 2 s, all answered
    assert_ordered(opened)


def test_idle_connections_report_server_memory(server: tuple[str, int], tmp_path: Path) -> None:
    base, pid = server
    args = f"--mode idle --players 2 --connections 20 --seconds 1 --server-pid {pid}"
    report = loadtest(base, tmp_path / "state.json", args)
    assert report["connections"] == 20 and report["connections_dropped"] == {}
    assert report["connect"]["count"] == 20
    assert report["server_rss_kib_before"] > 0 and report["server_rss_kib_connected"] > 0
    assert report["server_kib_per_connection"] is not None


def test_jackpot_ticks_reach_every_subscriber(server: tuple[str, int], tmp_path: Path) -> None:
    base, _ = server
    plot = tmp_path / "fanout.png"
    args = f"--mode jackpots --players 2 --connections 10 --seconds 2 --plot {plot}"
    report = loadtest(base, tmp_path / "state.json", args)
    assert report["subscribers"] == 10 and report["errors_total"] == 0
    assert report["spins_ok"] >= 3
    assert 0 < report["ticks"] <= report["ticks_expected"] == report["spins_ok"] * 10
    assert_ordered(report, "from_ts_")
    assert_ordered(report, "from_spin_")
    assert plot.read_bytes().startswith(PNG_MAGIC)


# -- the parts that need no server ---------------------------------------------------------


def test_latency_summary_and_unanswered_requests() -> None:
    tally = Tally()
    for ms in range(1, 101):
        tally.latencies.add(ms * 1_000_000)
    tally.sent = 103
    tally.error("insufficient-funds")
    tally.close_unanswered()
    summary = tally.latencies.summary()
    assert summary.count == 100 and summary.max_ms == 100.0
    assert summary.p50_ms == pytest.approx(50.5) and summary.p99_ms == pytest.approx(99.01)
    assert tally.errors == {"insufficient-funds": 1, "no-answer": 2}
    assert Latencies().summary().count == 0


def test_token_cache_round_trip_and_expiry(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "tokens.json"
    soon = (datetime.now(UTC) + timedelta(seconds=30)).isoformat()
    cache = TokenCache(path, "http://127.0.0.1:8000/")
    cache.put("a@example.com", CachedSession("p1", "tok", soon))
    cache.save()
    again = TokenCache(path, "http://127.0.0.1:8000")
    cached = again.get("a@example.com")
    assert cached == CachedSession("p1", "tok", soon)
    assert cached.valid_for(10) and not cached.valid_for(60)
    assert TokenCache(path, "http://other:8000").get("a@example.com") is None
    path.write_text("not json")
    assert TokenCache(path, "http://127.0.0.1:8000").get("a@example.com") is None


def test_ws_url_and_an_empty_histogram(tmp_path: Path) -> None:
    assert ws_url("http://127.0.0.1:8000/") == "ws://127.0.0.1:8000/v1/ws"
    assert ws_url("https://casino.example") == "wss://casino.example/v1/ws"
    plot = tmp_path / "empty.png"
    plot_histogram({"round trip": np.array([])}, plot, title="nothing", xlabel="ms")
    assert plot.read_bytes().startswith(PNG_MAGIC)


class SerialServer:
    """A stand-in connection that answers one round at a time, ``service_s`` each, except
    the first, which stalls for ``stall_s``."""

    def __init__(self, service_s: float, stall_s: float) -> None:
        self.service_s = service_s
        self.stall_s = stall_s
        self.unmatched: Counter[str] = Counter()
        self._free_at = 0.0

    def send(self, message: dict[str, Any]) -> asyncio.Future[tuple[dict[str, Any], int]]:
        loop = asyncio.get_running_loop()
        answered: asyncio.Future[tuple[dict[str, Any], int]] = loop.create_future()
        cost = self.stall_s if self._free_at == 0.0 else self.service_s
        self._free_at = max(loop.time(), self._free_at) + cost
        answer = {"type": "result", "request_id": message["request_id"], "data": {}}
        loop.call_at(self._free_at, lambda: answered.set_result((answer, time.perf_counter_ns())))
        return answered


async def test_closed_loop_longer_than_the_drain_answers_every_round() -> None:
    tally = Tally()
    plan = RoundsPlan(seconds=1.0, game_id="lotus-20", stake=100, drain_s=0.2)
    connections: list[Any] = [SerialServer(0.05, 0.05) for _ in range(3)]
    elapsed = await RoundsDriver(connections, plan, tally).run()
    assert tally.errors == {} and tally.ok == tally.sent >= 3 * 15
    assert 1.0 <= elapsed < 1.2


async def test_open_loop_counts_a_stall_against_every_round_scheduled_during_it() -> None:
    """One stall of 0.5 s at 40 rounds/s delays ~20 rounds: an open loop sees them all slow;
    a closed loop (coordinated omission) would have seen one slow round."""
    tally = Tally()
    plan = RoundsPlan(seconds=1.0, game_id="lotus-20", stake=100, rate=40, drain_s=2)
    connections: list[Any] = [SerialServer(0.005, 0.5)]
    await RoundsDriver(connections, plan, tally).run()
    latencies = tally.latencies.milliseconds()
    assert tally.sent == tally.ok == 40 and tally.errors == {}
    assert (latencies > 100).sum() >= 15


async def test_open_loop_counts_the_rounds_a_slow_server_left_unsent() -> None:
    """Rounds still queued behind a connection's in-flight limit when the run ends are the
    ones that waited longest: they count (``not-sent``), they do not vanish."""
    tally = Tally()
    plan = RoundsPlan(seconds=1.0, game_id="lotus-20", stake=100, rate=100, drain_s=0.2)
    connections: list[Any] = [SerialServer(0.2, 0.2)]  # 5 answers/s against 100 scheduled
    elapsed = await RoundsDriver(connections, plan, tally).run()
    assert tally.sent == 100 == tally.ok + tally.errors.total()
    assert tally.errors["not-sent"] >= 70
    assert elapsed >= 1.0


async def test_an_open_loop_lasts_its_seconds_when_answers_come_early() -> None:
    tally = Tally()
    plan = RoundsPlan(seconds=1.0, game_id="lotus-20", stake=100, rate=40, drain_s=1)
    elapsed = await RoundsDriver([SerialServer(0.001, 0.001)], plan, tally).run()  # type: ignore[list-item]
    assert tally.ok == 40 and elapsed >= 1.0
