"""Slot rounds through the round service alone (no HTTP, no WebSocket): rounds/s, CPU per
round and bytes per round, on SQLite or PostgreSQL.

It uses only ``open_platform`` and ``platform.rounds.play``, which every commit since the
round service has, so the same file runs under another commit's venv for a side-by-side
ratio (``bench/compare.sh`` does that for whole servers)::

    .venv/bin/python bench/rounds_inprocess.py --players 200 --rounds 10
    /tmp/croupier-compare/<hash>/venv/bin/python bench/rounds_inprocess.py …   # another commit
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from croupier.bootstrap import open_platform
from croupier.config import load_settings


async def _players(platform: object, count: int) -> list[object]:
    accounts = platform.accounts  # type: ignore[attr-defined]
    wallet = platform.wallet  # type: ignore[attr-defined]
    players = []
    for n in range(count):
        email = f"bench{n}@example.com"
        await accounts.register(
            email=email,
            password="correct horse battery staple",
            date_of_birth="1990-01-01",
            country="MT",
            currency="EUR",
        )
        login = await accounts.login(
            email=email,
            password="correct horse battery staple",
            ip=f"10.{n // 65536}.{n // 256 % 256}.{n % 256}",
        )
        await wallet.deposit(login.player, f"bench-deposit-{n}", 10_000_000)
        players.append(login.player)
    return players


def _size(url: str) -> int:
    """The database's bytes once its write-ahead log is folded in (another connection may
    checkpoint while the writer is idle)."""
    path = Path(url.removeprefix("sqlite:///"))
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    return path.stat().st_size


async def main(players_count: int, rounds: int, game: str, stake: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        platform = await open_platform(load_settings({}, database_url=url))
        try:
            players = await _players(platform, players_count)
            rounds_service = platform.rounds  # type: ignore[attr-defined]
            await asyncio.gather(  # warm-up: every player's seed pair and caches
                *(
                    rounds_service.play(p, game, f"warm-{i}", {"stake": stake})
                    for i, p in enumerate(players)
                )
            )
            size_before = _size(url)
            cpu, wall = time.process_time(), time.perf_counter()

            async def play(index: int, player: object) -> None:
                for k in range(rounds):
                    await rounds_service.play(player, game, f"b-{index}-{k}", {"stake": stake})

            await asyncio.gather(*(play(i, p) for i, p in enumerate(players)))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            size_after = _size(url)
        finally:
            await platform.close()  # type: ignore[attr-defined]
        total = players_count * rounds
        return {
            "rounds": total,
            "rounds_per_s": round(total / wall, 1),
            "cpu_us_per_round": round(cpu / total * 1e6, 1),
            "bytes_per_round": round((size_after - size_before) / total, 1),
        }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10, help="rounds per player")
    parser.add_argument("--game", default="lotus-20")
    parser.add_argument("--stake", type=int, default=100)
    args = parser.parse_args()
    os.environ.pop("CROUPIER_GAMES_DIR", None)
    print(json.dumps(asyncio.run(main(args.players, args.rounds, args.game, args.stake))))
