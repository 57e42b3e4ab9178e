"""What a round costs on disk: bytes per round for every table and index, on SQLite and
PostgreSQL (``croupier bench storage``).

It plays rounds through the real services (``open_platform``, ``RoundService.play``) against
a fresh database: the players register, deposit and play one warm-up round each (their
accounts, seed pairs and the house's are a fixed cost per player, not per round); then the
sizes of every table and index are taken, the measured rounds played, and the sizes taken
again. The difference, over the measured rounds, is a round's cost.

* SQLite: the ``dbstat`` virtual table (bytes of the pages each table and index holds, after
  a checkpoint folds the write-ahead log in);
* PostgreSQL: after ``VACUUM ANALYZE``, ``pg_relation_size`` of each table (with its TOAST
  table) and of each index, the write-ahead log not counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import secrets
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from croupier.domain.accounts.player import Player

__all__ = ["StorageReport", "run_storage_bench"]

_ROULETTE = "european-roulette"
_PASSWORD = "correct horse battery staple"
_DEPOSIT_MINOR = 100_000_000
#: Roulette bets of the measured rounds: an outside bet and a straight, as players place them.
_ROULETTE_BETS = [
    {"type": "red", "stake": 100},
    {"type": "straight", "numbers": [17], "stake": 10},
]


@dataclass(frozen=True, slots=True)
class StorageReport:
    """Bytes per round of each table and index (``name`` → bytes), and their total."""

    backend: str
    rounds: int
    slot_rounds: int
    roulette_rounds: int
    #: name → (kind, table it belongs to, bytes per round)
    objects: dict[str, tuple[str, str, float]] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(per_round for _, _, per_round in self.objects.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "rounds": self.rounds,
            "slot_rounds": self.slot_rounds,
            "roulette_rounds": self.roulette_rounds,
            "bytes_per_round": round(self.total, 1),
            "objects": {
                name: {"kind": kind, "table": table, "bytes_per_round": round(size, 1)}
                for name, (kind, table, size) in self.objects.items()
            },
        }


async def run_storage_bench(
    backend: str,
    *,
    players: int,
    rounds_per_player: int,
    roulette_share: float,
    game_id: str,
    stake_minor: int,
    database_url: str | None = None,
) -> StorageReport:
    """Play ``players × rounds_per_player`` rounds (a ``roulette_share`` of them roulette)
    against a fresh database of ``backend`` and measure what they added."""
    async with _fresh_database(backend, database_url) as url:
        # A scratch database: throwaway key-encryption keys (PostgreSQL needs both).
        scratch = {
            "CROUPIER_KEK": secrets.token_hex(32),
            "CROUPIER_CARD_KEK": secrets.token_hex(32),
        }
        platform = await open_platform(load_settings(scratch, database_url=url))
        try:
            playing = await _players(platform, players, game_id, stake_minor)
            before = await _sizes(backend, url)
            draw = random.Random(1)
            kinds = [
                [draw.random() < roulette_share for _ in range(rounds_per_player)] for _ in playing
            ]

            async def play(index: int, player: Player) -> None:
                for k, roulette in enumerate(kinds[index]):
                    game, request = (
                        (_ROULETTE, {"bets": _ROULETTE_BETS})
                        if roulette
                        else (game_id, {"stake": stake_minor})
                    )
                    await platform.rounds.play(player, game, f"m-{index}-{k}", request)

            await asyncio.gather(*(play(i, p) for i, p in enumerate(playing)))
        finally:
            await platform.close()
        after = await _sizes(backend, url)
    total = players * rounds_per_player
    roulette_rounds = sum(sum(row) for row in kinds)
    objects = {
        name: (kind, table, (size - before.get(name, (kind, table, 0))[2]) / total)
        for name, (kind, table, size) in sorted(after.items())
    }
    return StorageReport(backend, total, total - roulette_rounds, roulette_rounds, objects)


async def _players(platform: Platform, count: int, game_id: str, stake: int) -> list[Player]:
    """Registered players with money and a seed pair, each having played one round."""
    playing = []
    for n in range(count):
        email = f"storage{n}@example.com"
        await platform.accounts.register(
            email=email,
            password=_PASSWORD,
            date_of_birth="1990-01-01",
            country="MT",
            currency="EUR",
        )
        login = await platform.accounts.login(
            email=email, password=_PASSWORD, ip=f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"
        )
        await platform.wallet.deposit(login.player, f"storage-deposit-{n}", _DEPOSIT_MINOR)
        playing.append(login.player)
    await asyncio.gather(
        *(
            platform.rounds.play(player, game_id, f"warm-{n}", {"stake": stake})
            for n, player in enumerate(playing)
        ),
        *(
            platform.rounds.play(player, _ROULETTE, f"warm-r-{n}", {"bets": _ROULETTE_BETS})
            for n, player in enumerate(playing)
        ),
    )
    return playing


# -- sizes -----------------------------------------------------------------------------------
Sizes = Mapping[str, tuple[str, str, int]]  # name -> (kind, table, bytes)


async def _sizes(backend: str, url: str) -> Sizes:
    if backend == "sqlite":
        return await asyncio.to_thread(_sqlite_sizes, Path(url.removeprefix("sqlite:///")))
    return await _postgres_sizes(url)


def _sqlite_sizes(path: Path) -> dict[str, tuple[str, str, int]]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        kinds = {
            name: (kind, table)
            for kind, name, table in conn.execute(
                "SELECT type, name, tbl_name FROM sqlite_schema WHERE type IN ('table', 'index')"
            )
        }
        rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    return {
        name: (*kinds.get(name, ("table", name)), int(size))
        for name, size in rows
        if not name.startswith("sqlite_schema")
    }


_PG_SIZES = """
SELECT c.relname, CASE c.relkind WHEN 'i' THEN 'index' ELSE 'table' END,
       COALESCE(t.relname, c.relname),
       pg_relation_size(c.oid)
         + CASE WHEN c.reltoastrelid <> 0 THEN pg_total_relation_size(c.reltoastrelid) ELSE 0 END
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = c.oid
LEFT JOIN pg_class t ON t.oid = i.indrelid
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')
"""


async def _postgres_sizes(url: str) -> dict[str, tuple[str, str, int]]:
    import asyncpg

    conn = await asyncpg.connect(url, timeout=10)
    try:
        await conn.execute("VACUUM ANALYZE")
        rows = await conn.fetch(_PG_SIZES)
    finally:
        await conn.close()
    return {row[0]: (row[1], row[2], int(row[3])) for row in rows}


# -- a scratch database -----------------------------------------------------------------------
@contextlib.asynccontextmanager
async def _fresh_database(backend: str, admin_url: str | None) -> AsyncIterator[str]:
    """A new, empty database for one run, removed afterwards."""
    if backend == "sqlite":
        base = Path(admin_url).resolve() if admin_url else Path.cwd()
        with tempfile.TemporaryDirectory(prefix=".bench-", dir=base) as folder:
            yield f"sqlite:///{folder}/ledger.db"
        return
    import asyncpg

    admin_dsn = admin_url or os.environ.get(
        "CROUPIER_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    name = f"croupier_storage_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_dsn, timeout=10)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield admin_dsn.rsplit("/", 1)[0] + "/" + name
    finally:
        admin = await asyncpg.connect(admin_dsn, timeout=10)
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        finally:
            await admin.close()
