"""Kill -9 a process in the middle of a ledger load, several times, and audit what is left."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from croupier.bootstrap import make_store
from croupier.services.ledger import verify_ledger
from tests.support.ledger import open_test_ledger

LOAD = Path(__file__).with_name("crash_load.py")
ROOT = Path(__file__).resolve().parents[2]


def _progress(ack: Path, run_id: str) -> tuple[int, int]:
    """This run's acknowledged settlements, and its acknowledged stakes left open on purpose
    (every fourth bet of a producer, ``k % 4 == 3``: see crash_load.py)."""
    settled = left_open = 0
    for line in (ack.read_bytes() if ack.exists() else b"").decode().splitlines():
        kind, _, bet = line.partition(" ")
        if not bet.startswith(f"{run_id}:"):
            continue
        if kind == "settle":
            settled += 1
        elif kind == "reserve" and int(bet.rpartition(":")[2]) % 4 == 3:
            left_open += 1
    return settled, left_open


def _run_and_kill(url: str, ack: Path, run_id: str, rng: random.Random) -> None:
    """Start the load and SIGKILL it once *this run* has settled a random number of bets and
    left some open (so there is an open stake to refund afterwards).

    Killing on progress, not after a wall-clock delay: on a loaded machine a delay can end
    before the process has done anything (a flake), and another run's lines must not count.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, str(LOAD), url, str(ack), run_id], env=env)
    target = rng.randint(60, 200)
    try:
        deadline = time.monotonic() + 120
        while (progress := _progress(ack, run_id))[0] < target or progress[1] == 0:
            assert process.poll() is None, "the load process died before it was killed"
            assert time.monotonic() < deadline, f"{run_id} did too little in 120 s: {progress}"
            time.sleep(0.02)  # polling the file's progress, not waiting for time to pass
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)


async def test_kill_9_loses_nothing_acknowledged_and_applies_nothing_by_halves(
    database_url: str, tmp_path: Path
) -> None:
    rng = random.Random(2026)
    ack = tmp_path / "acks.txt"
    for attempt in range(4):
        _run_and_kill(database_url, ack, f"run{attempt}", rng)

    acknowledged: dict[str, set[str]] = defaultdict(set)
    for line in ack.read_text().splitlines():
        kind, bet = line.split(" ")
        acknowledged[kind].add(bet)
    assert len(acknowledged["settle"]) > 20, "the load did too little to prove anything"

    store = make_store(database_url)
    await store.open(writer=False)
    try:
        report = await verify_ledger(store)
        assert report.ok, report.problems
        parts: dict[str, set[str]] = defaultdict(set)
        async for batch in store.batches():
            for transfer in batch.transfers:
                if transfer.id.startswith("run"):
                    bet, _, part = transfer.id.rpartition(":")
                    parts[bet].add(part)
    finally:
        await store.close()

    for bet in acknowledged["reserve"]:
        assert "stake" in parts[bet], f"acknowledged reserve {bet} is missing"
    for bet in acknowledged["settle"]:
        assert parts[bet] == {"stake", "post", "jackpot", "win"}, f"acknowledged settle {bet}"
    for bet, present in parts.items():  # a linked group is there whole or not at all
        assert present in ({"stake"}, {"stake", "post", "jackpot", "win"}), (bet, present)

    # A restarted writer takes over: every stake left open is still reserved, and refundable.
    ledger = await open_test_ledger(database_url)
    try:
        open_stakes = [bet for bet, present in parts.items() if present == {"stake"}]
        assert open_stakes
        reserved = [(await ledger.balance(f"p{p}"))[1].pending for p in range(20)]
        assert sum(reserved) == 10 * len(open_stakes)
    finally:
        await ledger.close()
