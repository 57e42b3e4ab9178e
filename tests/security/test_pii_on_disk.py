"""PII and active server seeds on disk: players registered through the service, then the
database read raw, as someone holding a copy of it (and not the key) would.

SQLite: the main file, its -wal and -shm, while the server runs and after a checkpoint.
PostgreSQL: every table's rows as text, and, when this user can read them, the relation
files and the WAL segments written meanwhile (after a CHECKPOINT).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from tests.support.accounts import GOOD_PASSWORD
from tests.support.on_disk import (
    found_in,
    postgres_files_since,
    postgres_table_text,
    sqlite_checkpoint,
    sqlite_files,
)
from tests.support.raw_sql import raw_fetch
from tests.support.vault import KEK_ENV

pytestmark = pytest.mark.timeout(120)

#: The tables whose files are read raw on PostgreSQL.
SEALED_TABLES = ("players", "seed_pairs", "players_plaintext")

BORN = "1987-06-05"


@dataclass(frozen=True)
class Canary:
    """What must not be found: the email's parts, the date of birth, the active seed."""

    email: str
    server_seed: str
    server_seed_hash: str

    def needles(self) -> list[bytes]:
        local, domain = self.email.split("@")
        seed = self.server_seed
        return [
            self.email.encode(),
            local.encode(),
            domain.encode(),
            BORN.encode(),
            BORN.replace("-", "").encode(),
            seed.encode(),
            bytes.fromhex(seed),
        ]


@asynccontextmanager
async def registered(url: str) -> AsyncIterator[tuple[Platform, Canary]]:
    """A platform with a player registered, logged in, and holding an active seed pair."""
    env = {} if url.startswith("sqlite") else KEK_ENV  # SQLite: the generated key file
    platform = await open_platform(load_settings(env, database_url=url))
    try:
        email = f"pii-canary-{secrets.token_hex(4)}@casino-{secrets.token_hex(3)}.example"
        player = await platform.accounts.register(
            email=email,
            password=GOOD_PASSWORD,
            date_of_birth=BORN,
            country="DE",
            currency="EUR",
            ip="192.0.2.7",
        )
        await platform.accounts.login(email=email.upper(), password=GOOD_PASSWORD, ip="192.0.2.7")
        commitment = await platform.fairness.current(player)
        pair = await platform.seed_pairs.active(player.player_id)
        assert pair is not None
        yield platform, Canary(email, pair.pair.server_seed, commitment.server_seed_hash)
    finally:
        await platform.close()


async def test_sqlite_files_hold_no_email_birth_date_or_active_seed(tmp_path: Path) -> None:
    path = tmp_path / "croupier.db"
    async with registered(f"sqlite:///{path}") as (_, canary):
        running = sqlite_files(path)
        assert any(name.endswith("-wal") for name in running)  # the WAL was read too
    closed = sqlite_files(path)
    sqlite_checkpoint(path)
    checkpointed = sqlite_files(path)
    for moment, files in (("running", running), ("closed", closed), ("after", checkpointed)):
        for name, data in files.items():
            assert found_in(data, canary.needles()) == [], f"{moment}: clear text in {name}"
    # The player is there, sealed: the test looked in the right place.
    assert b"pii-canary" not in checkpointed[str(path)]
    assert canary.server_seed_hash.encode() in checkpointed[str(path)]


@pytest.mark.postgres
async def test_postgres_rows_and_files_hold_no_email_birth_date_or_active_seed(
    postgres_url: str,
) -> None:
    started = time.time() - 1
    async with registered(postgres_url) as (_, canary):
        text = await postgres_table_text(postgres_url)
        players = await raw_fetch(postgres_url, "SELECT p::text FROM players AS p")
    assert len(players) == 1
    assert found_in(text, canary.needles()) == []
    assert canary.server_seed_hash.encode() in text  # the rows were read
    for name, data in (
        await postgres_files_since(
            postgres_url, ("players", "seed_pairs", "players_plaintext"), started
        )
    ).items():
        assert found_in(data, canary.needles()) == [], f"clear text in {name}"


async def test_a_raw_read_of_seed_pairs_gives_no_usable_active_seed(database_url: str) -> None:
    """The attack of the issue: read the active server seed from seed_pairs, predict the
    next pocket. Every value of the active row is tried as the seed: none matches the
    commitment, so none predicts anything."""
    url = database_url
    async with registered(url) as (platform, canary):
        rows = await raw_fetch(url, "SELECT * FROM seed_pairs WHERE revealed_at_ms IS NULL")
        assert len(rows) == 1
        candidates: list[bytes] = []
        for value in rows[0]:
            if isinstance(value, str):
                candidates.append(value.encode())
            elif isinstance(value, (bytes, bytearray, memoryview)):
                raw = bytes(value)
                candidates += [raw, raw.hex().encode()]
                # Any 32-byte window read as the seed's bytes (its hex is the seed string).
                candidates += [raw[i : i + 32].hex().encode() for i in range(len(raw) - 31)]
        for candidate in candidates:
            assert hashlib.sha256(candidate).hexdigest() != canary.server_seed_hash
        assert canary.server_seed.encode() not in b"|".join(candidates)
        # The server itself still draws from it: the seed is sealed, not lost.
        assert await platform.fairness.server_seed(rows[0][0]) == canary.server_seed
