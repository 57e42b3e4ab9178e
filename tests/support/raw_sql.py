"""Raw reads and writes on a test database, past every store: what an attacker holding the
database (or a migration test) sees."""

from __future__ import annotations

import sqlite3
from typing import Any

import asyncpg


async def raw_fetch(url: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (``?`` placeholders on SQLite, ``$n`` on PostgreSQL)."""
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            return [tuple(row) for row in conn.execute(sql, args).fetchall()]
        finally:
            conn.close()
    pg = await asyncpg.connect(url, timeout=10)
    try:
        return [tuple(row.values()) for row in await pg.fetch(sql, *args)]
    finally:
        await pg.close()


async def raw_execute(url: str, sql: str) -> None:
    """Run a script of statements (no parameters) in one transaction."""
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            conn.executescript(f"BEGIN;\n{sql}\nCOMMIT;")
        finally:
            conn.close()
        return
    pg = await asyncpg.connect(url, timeout=10)
    try:
        async with pg.transaction():
            await pg.execute(sql)
    finally:
        await pg.close()
