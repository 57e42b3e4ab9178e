"""``croupier report ggr|rtp|liabilities``: the back office's reports on the command line.

The same :class:`~croupier.services.reports.ReportService` as the admin API, printed as JSON
(an array of objects) or CSV. ``liabilities`` exits 1 when the two computations disagree;
every command exits 2 when it cannot read the ledger (as ``croupier ledger``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from enum import StrEnum

import typer

from croupier.adapters.game_files import GameFiles
from croupier.bootstrap import open_ledger, open_reports
from croupier.cli.common import DATABASE_URL_OPTION, run, settings_for
from croupier.domain.errors import InvalidReport
from croupier.services.catalogue import GameCatalogue
from croupier.services.reports import (
    GgrRow,
    LiabilityRow,
    Period,
    ReportRow,
    ReportService,
    RtpRow,
    mismatch_text,
    to_csv,
    to_json,
)

app = typer.Typer(help="Back-office reports: GGR/NGR, RTP, liabilities.", no_args_is_help=True)


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"


FORMAT_OPTION = typer.Option(Format.JSON, "--format", help="json (an array) or csv.")
FROM_OPTION = typer.Option(
    None, "--from", help="First UTC day, YYYY-MM-DD (default: 29 days before --to)."
)
TO_OPTION = typer.Option(None, "--to", help="Last UTC day, included (default: today, UTC).")
GAME_OPTION = typer.Option(None, "--game", help="One game id (default: every game).")


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{option} takes a day as YYYY-MM-DD, got {text!r}") from None


def _period(first: str | None, last: str | None) -> tuple[date, date]:
    try:  # refused before any database is opened
        period = Period.of(_day(first, "--from"), _day(last, "--to"))
    except InvalidReport as error:
        raise typer.BadParameter(str(error)) from None
    return period.start, period.end


async def _with_service(
    database_url: str | None, use: Callable[[ReportService], Awaitable[Sequence[ReportRow]]]
) -> Sequence[ReportRow]:
    settings = settings_for(database_url)
    # Opening the ledger as a reader checks its schema: a mistyped URL is an error, never an
    # empty report of a database created on the spot.
    ledger = await open_ledger(settings, writer=False)
    await ledger.close()
    catalogue = GameCatalogue.load(GameFiles.shipped(overlay=settings.games_dir))
    service = await open_reports(settings.database_url, catalogue)
    try:
        return await use(service)
    finally:
        await service.store.close()


def _print(rows: Sequence[ReportRow], row_type: type[ReportRow], output: Format) -> None:
    if output is Format.CSV:
        typer.echo(to_csv(rows, row_type), nl=False)
    else:
        typer.echo(to_json(rows))


@app.command()
def ggr(
    database_url: str | None = DATABASE_URL_OPTION,
    first: str | None = FROM_OPTION,
    last: str | None = TO_OPTION,
    game: str | None = GAME_OPTION,
    output: Format = FORMAT_OPTION,
) -> None:
    """GGR and NGR by UTC day and game, per currency, with bets, wins and round counts."""
    start, end = _period(first, last)
    rows = run(_with_service(database_url, lambda service: service.ggr(start, end, game)))
    _print(rows, GgrRow, output)


@app.command()
def rtp(
    database_url: str | None = DATABASE_URL_OPTION,
    first: str | None = FROM_OPTION,
    last: str | None = TO_OPTION,
    game: str | None = GAME_OPTION,
    output: Format = FORMAT_OPTION,
) -> None:
    """Observed RTP against theoretical per game, flagged outside the 99.9 % interval."""
    start, end = _period(first, last)
    rows = run(_with_service(database_url, lambda service: service.rtp(start, end, game)))
    _print(rows, RtpRow, output)


@app.command()
def liabilities(
    database_url: str | None = DATABASE_URL_OPTION,
    output: Format = FORMAT_OPTION,
) -> None:
    """What the casino owes players per currency, from the balances and from the transfers.
    Exit 1 when the two disagree."""
    rows = run(_with_service(database_url, lambda service: service.liabilities()))
    _print(rows, LiabilityRow, output)
    broken = [row for row in rows if isinstance(row, LiabilityRow) and not row.matches]
    for row in broken:
        typer.echo(mismatch_text(row), err=True)
    if broken:
        raise typer.Exit(1)
