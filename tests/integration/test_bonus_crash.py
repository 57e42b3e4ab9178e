"""Kill -9 a process while it grants and converts bonuses, several times; then the sweep
finishes what was interrupted, and every bonus converted exactly once (docs/bonuses.md)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from croupier.bootstrap import Platform
from croupier.services.bonus.ledger_ops import bonus_stream, promotions_account
from croupier.services.ledger import verify_ledger

LOAD = Path(__file__).with_name("bonus_crash_load.py")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.timeout(600)


def _acks(ack: Path) -> tuple[list[str], int]:
    """The players every run registered, and how many claims they answered."""
    players, claimed = [], 0
    for line in (ack.read_text() if ack.exists() else "").splitlines():
        kind, _, player_id = line.partition(" ")
        if kind == "player" and player_id:
            players.append(player_id)
        claimed += kind == "claimed"
    return players, claimed


def _run_and_kill(url: str, ack: Path, run_id: str, target: int) -> None:
    """SIGKILL the load once it has answered ``target`` claims in all (progress, not time)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, str(LOAD), url, str(ack), run_id], env=env)
    try:
        deadline = time.monotonic() + 240
        while _acks(ack)[1] < target:
            assert process.poll() is None, "the load process died before it was killed"
            assert time.monotonic() < deadline, f"{run_id} did too little in 240 s"
            time.sleep(0.02)  # polling the file's progress, not waiting for time to pass
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)


async def test_a_conversion_interrupted_by_kill_9_happens_exactly_once(
    database_url: str, tmp_path: Path
) -> None:
    from croupier.bootstrap import open_platform
    from croupier.config import load_settings
    from tests.support.vault import KEK_ENV

    rng = random.Random(18)
    ack = tmp_path / "acks.txt"
    target = 0
    for attempt in range(3):
        target += rng.randint(2, 5)
        _run_and_kill(database_url, ack, f"run{attempt}", target)
    players, claimed = _acks(ack)
    assert claimed >= 6
    env = {**KEK_ENV, "CROUPIER_BONUS_SWEEP_S": "0"}
    platform: Platform = await open_platform(load_settings(env, database_url=database_url))
    try:
        assert platform.bonus is not None
        await platform.bonus.sweep()  # finishes any conversion a kill interrupted
        assert await platform.bonus.sweep() == 0  # and a second sweep has nothing to do
        granted = 0
        for player_id in players:
            events = await platform.ledger.stream_events(bonus_stream(player_id))
            kinds = [(e.type, json.loads(e.data_json).get("outcome")) for e in events]
            player = await platform.players.get_player(player_id)
            assert player is not None
            wallet = await platform.wallet.wallet(player)
            if not kinds:  # killed before its claim was written
                assert (wallet.cash, wallet.bonus) == (0, 0)
                continue
            granted += 1
            assert kinds == [("bonus.granted", None), ("bonus.ended", "converted")]
            assert (wallet.cash, wallet.bonus) == (1_000, 0)
        promotions = (await platform.ledger.balance(promotions_account("EUR")))[1]
        assert promotions.posted == -1_000 * granted
        assert granted >= claimed
        assert (await verify_ledger(platform.ledger.store)).ok
    finally:
        await platform.close()
