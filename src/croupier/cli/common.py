"""Pieces every command shares: the database option, settings, and running a coroutine."""

from __future__ import annotations

import asyncio
import gc
import json
import sqlite3
import sys
from collections.abc import Coroutine
from typing import Any, NoReturn, TypeVar

import asyncpg
import typer

from croupier.config import ConfigError, Settings, load_settings
from croupier.domain.errors import CroupierError

T = TypeVar("T")

DATABASE_URL_OPTION = typer.Option(
    None,
    "--database-url",
    envvar="CROUPIER_DATABASE_URL",
    help="sqlite:///PATH (default sqlite:///./croupier.db) or postgresql://USER@HOST:PORT/DB.",
    show_envvar=True,
)


def collect_garbage_for_throughput() -> None:
    """The collector's policy for the ledger's hot paths (``serve``, ``bench ledger``).

    Every request allocates many short-lived objects while the writer's caches hold hundreds
    of thousands of long-lived ones. With the default threshold of 700 the collector took
    ~6 % of the server's samples under load (py-spy) and ~8 % of the ledger benchmark's
    event loop; this threshold measured 1,489 -> 1,578 rounds/s and 8,773 -> 9,187-9,338
    settlements/s (docs/benchmarks.md). What start-up loaded is frozen out of the scans
    once it is loaded (``gc.freeze()``: the app after start-up, the benchmark after set-up).
    """
    gc.set_threshold(50_000, 50, 100)


def settings_for(database_url: str | None) -> Settings:
    try:
        return load_settings(database_url=database_url)
    except ConfigError as error:
        fail(str(error))


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


#: What a command meets when it cannot reach or read its database: reported in one line
#: with exit 2, which commands keep apart from their own verdicts (``ledger verify``: 1).
_UNREACHABLE = (OSError, sqlite3.Error, asyncpg.PostgresError, asyncpg.InterfaceError)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on uvloop when available; typed refusals and an unreachable or
    unreadable database become a clean exit 2."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on every POSIX platform
        uvloop = None  # type: ignore[assignment]
    try:
        if uvloop is not None:
            return uvloop.run(coroutine)
        return asyncio.run(coroutine)
    except CroupierError as error:
        fail(str(error))
    except _UNREACHABLE as error:
        fail(f"the database could not be used: {type(error).__name__}: {error}")


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, sort_keys=True) + "\n")
