"""Helpers for audit-trail tests: a migrated database with the trail open on it, and the raw
SQL a tamperer would run, around the append-only triggers."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from croupier.bootstrap import make_audit_store
from croupier.services.audit import AuditLog
from tests.support.ledger import open_test_ledger


@asynccontextmanager
async def migrated(database_url: str) -> AsyncIterator[None]:
    """The ledger writer open on the database: it applies every migration (0007 among them)."""
    ledger = await open_test_ledger(database_url)
    try:
        yield
    finally:
        await ledger.close()


@asynccontextmanager
async def open_audit(database_url: str) -> AsyncIterator[AuditLog]:
    """An audit log on its own store, as each server process (or gateway) opens one."""
    audit = AuditLog(make_audit_store(database_url))
    await audit.open()
    try:
        yield audit
    finally:
        await audit.close()


async def run_sql(database_url: str, sql: str, *params: Any) -> None:
    """One statement on a connection of its own (SQLite: ``?`` marks; PostgreSQL: ``$n``)."""
    if database_url.startswith("sqlite:///"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        try:
            conn.execute(sql, params)
        finally:
            conn.close()
        return
    pg = await asyncpg.connect(database_url)
    try:
        await pg.execute(sql, *params)
    finally:
        await pg.close()


async def tamper(database_url: str, sql: str, *params: Any) -> None:
    """Run ``sql`` against ``audit_log`` past its append-only triggers, as someone with the
    database's keys could: SQLite drops them, a PostgreSQL superuser disables them."""
    if database_url.startswith("sqlite:///"):
        script = [
            "DROP TRIGGER IF EXISTS audit_log_append_only_update",
            "DROP TRIGGER IF EXISTS audit_log_append_only_delete",
        ]
        for statement in script:
            await run_sql(database_url, statement)
        await run_sql(database_url, sql, *params)
        return
    pg = await asyncpg.connect(database_url)
    try:
        async with pg.transaction():
            await pg.execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
            await pg.execute(sql, *params)
            await pg.execute("ALTER TABLE audit_log ENABLE TRIGGER USER")
    finally:
        await pg.close()


def marks(database_url: str, count: int) -> list[str]:
    """The engine's parameter marks for ``count`` parameters."""
    if database_url.startswith("sqlite:///"):
        return ["?"] * count
    return [f"${n}" for n in range(1, count + 1)]
