"""``croupier export rounds``: every round of a jurisdiction's players in a period, whole
(GLI-19 game recall), as JSON lines or CSV, for the regulator (docs/compliance.md,
"Records for the regulator"). Read-only: it runs beside a live server."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

import typer

from croupier.adapters.game_files import GameFiles
from croupier.bootstrap import (
    instant_games,
    make_player_store,
    make_seed_pair_store,
    open_ledger,
    open_vault,
    table_games,
)
from croupier.cli.common import DATABASE_URL_OPTION, run, settings_for
from croupier.config import Settings
from croupier.domain.fairness import ProvablyFairSource
from croupier.services.compliance import load_jurisdictions
from croupier.services.fairness import FairnessService
from croupier.services.records import RoundIndex, RoundRecords, csv_header, csv_line, json_line
from croupier.services.rounds import RoundService

app = typer.Typer(help="Records for the regulator.", no_args_is_help=True)


class Format(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


def day_bounds_ms(first: str, last: str) -> tuple[int, int]:
    """``[first 00:00, the day after last 00:00)`` UTC in ms; ``BadParameter`` otherwise."""
    try:
        start, end = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        raise typer.BadParameter("--from and --to take days, YYYY-MM-DD") from None
    if end < start:
        raise typer.BadParameter("--to is before --from")

    def ms(day: date) -> int:
        return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)

    return ms(start), ms(end + timedelta(days=1))


def make_round_index(database_url: str) -> RoundIndex:
    if database_url.startswith("sqlite:///"):
        from croupier.adapters.storage.sqlite.round_records import SqliteRoundIndex

        return SqliteRoundIndex(database_url.removeprefix("sqlite:///"))
    from croupier.adapters.storage.postgres.round_records import PostgresRoundIndex

    return PostgresRoundIndex(database_url)


@contextlib.asynccontextmanager
async def open_round_records(settings: Settings) -> AsyncIterator[RoundRecords]:
    """The export's services on readers of the ledger's database (closed on exit)."""
    ledger = await open_ledger(settings, writer=False)  # checks the schema first
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(ledger.close)
        vault = await open_vault(settings)
        players = make_player_store(settings.database_url, vault)
        await players.open()
        stack.push_async_callback(players.close)
        seed_pairs = make_seed_pair_store(settings.database_url, vault)
        await seed_pairs.open()
        stack.push_async_callback(seed_pairs.close)
        index = make_round_index(settings.database_url)
        await index.open()
        stack.push_async_callback(index.close)
        games = GameFiles.shipped(overlay=settings.games_dir)
        definitions = {game_id: games.load(game_id) for game_id in games.game_ids()}
        fairness = FairnessService(seed_pairs, ledger, clock_ms=lambda: time.time_ns() // 10**6)
        rounds = RoundService(
            ledger,
            fairness,
            instant_games(definitions),
            settings.rounds,
            replay_source=ProvablyFairSource,
            tables=table_games(definitions),
        )
        yield RoundRecords(
            index,
            ledger,
            rounds.recall,
            fairness,
            players,
            load_jurisdictions(settings.compliance),
        )


@app.command("rounds")
def rounds(
    jurisdiction: str = typer.Option(..., "--jurisdiction", help="A profile id: ukgc, nj, …"),
    first: str = typer.Option(..., "--from", help="First UTC day, YYYY-MM-DD."),
    last: str = typer.Option(..., "--to", help="Last UTC day, included."),
    output: Format = typer.Option(
        Format.JSONL, "--format", help="jsonl (one round a line) or csv."
    ),
    database_url: str | None = DATABASE_URL_OPTION,
) -> None:
    """Every round of the jurisdiction's players started in the period, with the GLI-19 game
    recall fields (game and version, player, times, stake, choices, outcome, win, balances
    before and after, jackpot, seeds and nonce), on stdout."""
    start_ms, end_ms = day_bounds_ms(first, last)
    settings = settings_for(database_url)

    async def export() -> int:
        count = 0
        async with open_round_records(settings) as records:
            if output is Format.CSV:
                typer.echo(csv_header(), nl=False)
            async for record in records.export(jurisdiction, start_ms, end_ms):
                typer.echo(
                    csv_line(record) if output is Format.CSV else json_line(record), nl=False
                )
                count += 1
        return count

    count = run(export())
    typer.echo(f"exported {count} rounds of {jurisdiction}", err=True)
