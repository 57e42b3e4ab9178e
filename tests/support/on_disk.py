"""Reading a database the way someone holding a copy of it (and not the key) would: the
SQLite files, every PostgreSQL table as text, and PostgreSQL's relation and WAL files. For
the tests that nothing secret is there in clear (tests/security/test_*_on_disk.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

import asyncpg

from tests.support.raw_sql import raw_fetch


def found_in(data: bytes, needles: Iterable[bytes]) -> list[bytes]:
    """The needles in ``data``, compared without case."""
    lowered = data.lower()
    return [needle for needle in needles if needle.lower() in lowered]


def sqlite_files(path: Path) -> dict[str, bytes]:
    """The database file, its -wal and its -shm (those that exist), by name."""
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    return {str(file): file.read_bytes() for file in files if file.exists()}


def sqlite_checkpoint(path: Path) -> None:
    """Fold the WAL into the main file (and truncate it)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


async def postgres_table_text(url: str) -> bytes:
    """Every row of every table of the public schema, as text."""
    tables = await raw_fetch(
        url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
    )
    text = []
    for (table,) in tables:
        rows = await raw_fetch(url, f'SELECT t::text FROM "{table}" AS t')
        text.extend(row[0] for row in rows)
    return "\n".join(text).encode()


async def postgres_files_since(url: str, tables: Iterable[str], started: float) -> dict[str, bytes]:
    """The relation files of ``tables`` and the WAL written since ``started``, after a
    CHECKPOINT; empty when this user cannot read the data directory."""
    conn = await asyncpg.connect(url, timeout=10)
    try:
        await conn.execute("CHECKPOINT")
        root = Path(await conn.fetchval("SHOW data_directory"))
        relations = [
            await conn.fetchval("SELECT pg_relation_filepath($1)", name) for name in tables
        ]
    except asyncpg.InsufficientPrivilegeError:
        return {}
    finally:
        await conn.close()
    try:
        wal = [
            f for f in (root / "pg_wal").iterdir() if f.is_file() and f.stat().st_mtime >= started
        ]
        files = [root / relation for relation in relations] + wal
        return {str(file): file.read_bytes() for file in files}
    except PermissionError:
        return {}
