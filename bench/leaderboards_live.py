"""Leaderboards fed by the load generator: board updates per second while real rounds are
played, in process and on Redis. Run from the repository root, Redis on 127.0.0.1:6379:

    PYTHONPATH=. .venv/bin/python bench/leaderboards_live.py [--players 50] [--seconds 30]

For each state (``memory://``, then Redis under a fresh key prefix, deleted at the end) it
starts ``croupier serve`` on a fresh SQLite database (or ``--database-url``, which must be
empty), runs ``croupier loadtest --mode rounds`` against it (N players over WebSocket, slot
rounds in a closed loop), waits until the leaderboards have counted every round played,
then reads the counting task's totals from ``/metrics`` (``croupier_leaderboard_*``).

Printed per state: rounds played (and per second), board updates applied per second of
the run (each round is an update on each shipped board it counts on: ``daily-multiplier``
and ``weekly-wagered-eur`` for a EUR slot round), the counting task's own rate (updates per
second of the time it was busy: the headroom left), the deepest the queue got, the rounds
dropped, and how long after the last round the boards had caught up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from tests.support.redis import delete_prefixed
from tests.support.server import METRICS_TOKEN, admin_url, free_port, start_server, stop, wait_ready

REDIS = "redis://127.0.0.1:6379/0"
_METRIC = re.compile(r"^(croupier_leaderboard_[a-z_]+?)(?:_total)? ([0-9.e+-]+)$", re.M)
CATCH_UP_S = 120.0


def _scrape(base: str) -> dict[str, float]:
    answer = httpx.get(
        f"{admin_url(base)}/metrics",
        headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
        timeout=10,
    )
    answer.raise_for_status()
    return {name: float(value) for name, value in _METRIC.findall(answer.text)}


def _loadtest(base: str, pid: int, players: int, seconds: float) -> dict[str, Any]:
    command = [
        sys.executable, "-m", "croupier", "loadtest", "--url", base, "--players", str(players),
        "--seconds", str(seconds), "--server-pid", str(pid), "--json",
    ]  # fmt: skip
    done = subprocess.run(
        command, check=False, capture_output=True, text=True, timeout=seconds + 600
    )
    if done.returncode != 0:
        raise RuntimeError(f"loadtest failed ({done.returncode}):\n{done.stderr}")
    return dict(json.loads(done.stdout))


def run_one(state_url: str, database_url: str, players: int, seconds: float) -> dict[str, Any]:
    env = {"CROUPIER_STATE_URL": state_url}
    if state_url != "memory://":
        env["CROUPIER_STATE_SECRET"] = secrets.token_hex(32)
    port = free_port()
    with tempfile.TemporaryFile() as log:
        server = start_server(database_url, port, log, **env)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, server, log, timeout_s=120)
            before = _scrape(base)
            figures = _loadtest(base, server.pid, players, seconds)
            ended = time.monotonic()
            played = int(figures["rounds"])
            deadline = ended + CATCH_UP_S
            while True:  # every round answered is committed: wait until it is counted
                after = _scrape(base)
                counted = after["croupier_leaderboard_rounds"] - before.get(
                    "croupier_leaderboard_rounds", 0
                )
                if counted >= played:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{counted} of {played} rounds counted")
                time.sleep(0.05)
            caught_up_s = time.monotonic() - ended
        finally:
            stop(server)
    updates = after["croupier_leaderboard_updates"] - before.get("croupier_leaderboard_updates", 0)
    busy_s = after["croupier_leaderboard_busy_seconds"] - before.get(
        "croupier_leaderboard_busy_seconds", 0
    )
    return {
        "state": state_url.split("?", maxsplit=1)[0],
        "rounds": played,
        "rounds_per_s": figures["rounds_per_s"],
        "updates": int(updates),
        "updates_per_s": updates / figures["elapsed_s"],
        "counting_updates_per_busy_s": updates / busy_s if busy_s else float("inf"),
        "queue_high": int(after["croupier_leaderboard_queue_high"]),
        "dropped": int(after["croupier_leaderboard_dropped"]),
        "caught_up_s": caught_up_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--database-url", default=None, help="empty; default: fresh SQLite")
    parser.add_argument("--only", choices=("memory", "redis"), default=None)
    arguments = parser.parse_args()
    prefix = f"lblive{secrets.token_hex(4)}"
    states = {"memory": "memory://", "redis": f"{REDIS}?prefix={prefix}"}
    try:
        for name, state_url in states.items():
            if arguments.only not in (None, name):
                continue
            with tempfile.TemporaryDirectory() as scratch:
                database_url = arguments.database_url or f"sqlite:///{Path(scratch)}/ledger.db"
                result = run_one(state_url, database_url, arguments.players, arguments.seconds)
            print(
                f"{name:6}  {result['rounds']:,} rounds ({result['rounds_per_s']:,.0f}/s): "
                f"{result['updates_per_s']:,.0f} board updates/s; counting "
                f"{result['counting_updates_per_busy_s']:,.0f} updates per busy second; "
                f"queue high {result['queue_high']:,}, dropped {result['dropped']}, "
                f"caught up {result['caught_up_s'] * 1000:,.0f} ms after the last round",
                flush=True,
            )
    finally:
        asyncio.run(delete_prefixed(prefix))


if __name__ == "__main__":
    main()
