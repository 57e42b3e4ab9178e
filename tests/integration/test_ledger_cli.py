"""``croupier ledger verify`` as an operator runs it, on both backends: its three exit codes
(0 sound, 1 broken, 2 could not check) and an anchor kept outside the database."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import asyncpg

from tests.support.ledger import open_casino, open_test_ledger


def _verify(database_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "croupier",
            "ledger",
            "verify",
            "--database-url",
            database_url,
            *extra,
        ],
        check=False,
        capture_output=True,
        text=True,
    )


async def _has_schema(database_url: str) -> bool:
    if database_url.startswith("sqlite:///"):
        return Path(database_url.removeprefix("sqlite:///")).exists()
    conn = await asyncpg.connect(database_url)
    try:
        return bool(await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL"))
    finally:
        await conn.close()


async def test_verify_of_no_ledger_is_an_error_and_creates_nothing(database_url: str) -> None:
    checked = _verify(database_url)
    assert checked.returncode == 2, checked.stdout + checked.stderr
    assert "no Croupier ledger" in checked.stderr
    assert not await _has_schema(database_url)  # a reader never creates or migrates


def test_verify_of_an_unreachable_database_is_an_error() -> None:
    checked = _verify("postgresql://nobody@127.0.0.1:1/nothing")
    assert checked.returncode == 2 and "could not be used" in checked.stderr
    assert "Traceback" not in checked.stderr


async def test_an_anchor_catches_a_chain_cut_short(database_url: str) -> None:
    ledger = await open_test_ledger(database_url)
    try:
        await open_casino(ledger, players=2, deposit_minor=500)
    finally:
        await ledger.close()
    sound = _verify(database_url, "--json")
    assert sound.returncode == 0, sound.stdout + sound.stderr
    head = json.loads(sound.stdout)["head"]
    seq, digest = head.split(":")
    assert _verify(database_url, "--expect", head).returncode == 0
    # What an anchor written later would say once the tail of the chain had been removed.
    cut = _verify(database_url, "--expect", f"{int(seq) + 3}:{digest}")
    assert cut.returncode == 1 and "cut short" in cut.stdout
    rewritten = _verify(database_url, "--expect", f"1:{digest}")
    assert rewritten.returncode == 1 and "rewritten" in rewritten.stdout


def test_verify_of_another_sqlite_file_leaves_it_as_it_was(tmp_path: Path) -> None:
    """A URL naming some other SQLite file by mistake: refused, and not even its journal
    mode changed."""
    other = tmp_path / "inventory.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE items (name TEXT)")
    conn.commit()
    conn.close()
    checked = _verify(f"sqlite:///{other}")
    assert checked.returncode == 2 and "no Croupier ledger" in checked.stderr
    conn = sqlite3.connect(other)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
