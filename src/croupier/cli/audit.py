"""``croupier audit …``: verify and query the hash-chained audit trail."""

from __future__ import annotations

import csv
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import typer

from croupier.bootstrap import make_audit_store, open_ledger
from croupier.cli.common import DATABASE_URL_OPTION, print_json, run, settings_for
from croupier.cli.ledger import parse_anchor
from croupier.domain.errors import InvalidInput
from croupier.services.audit import QUERY_LIMIT_MAX, AuditLog, AuditQuery, record_as_json
from croupier.services.audit.render import epoch_ms

app = typer.Typer(help="Verify and query the audit trail.", no_args_is_help=True)

T = TypeVar("T")

_CSV_FIELDS = [
    "seq",
    "at",
    "actor",
    "action",
    "subject",
    "source_ip",
    "reason",
    "before",
    "after",
    "prev_hash",
    "hash",
]


async def _with_audit(database_url: str | None, use: Callable[[AuditLog], Awaitable[T]]) -> T:
    """Open the trail read-side: the ledger's reader first, which refuses a database that is
    not a migrated Croupier ledger without creating anything there."""
    settings = settings_for(database_url)
    ledger = await open_ledger(settings, writer=False)
    try:
        audit = AuditLog(make_audit_store(settings.database_url))
        await audit.open()
        try:
            return await use(audit)
        finally:
            await audit.close()
    finally:
        await ledger.close()


@app.command()
def verify(
    database_url: str | None = DATABASE_URL_OPTION,
    expect: str | None = typer.Option(
        None,
        "--expect",
        metavar="SEQ:HASH",
        help="A head printed by an earlier verify, kept outside the database: that record "
        "must still be in the chain with that hash (catches a trail rewritten or cut short).",
    ),
) -> None:
    """Re-read the whole audit trail and check its hash chain. Exit 0 if intact, 1 naming
    the first broken record, 2 if it could not be read."""
    anchor = parse_anchor(expect) if expect is not None else None
    report = run(_with_audit(database_url, lambda audit: audit.verify(anchor)))
    if not report.ok:
        typer.echo(f"audit trail BROKEN: {report.problem}")
        raise typer.Exit(1)
    typer.echo(
        f"audit trail intact: {report.records} records, head {report.head_seq}:{report.head_hash}"
    )


def _time_ms(name: str, text: str | None) -> int | None:
    """An ISO 8601 time (UTC unless it says otherwise) as UTC milliseconds."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{name} takes an ISO 8601 time, e.g. 2026-12-06T22:00Z") from None
    return epoch_ms(moment)


@app.command()
def query(
    database_url: str | None = DATABASE_URL_OPTION,
    actor: str | None = typer.Option(None, "--actor", help="e.g. staff:7, player:…, system."),
    action: str | None = typer.Option(None, "--action", help="An action or its prefix: staff."),
    subject: str | None = typer.Option(None, "--subject", help="e.g. player:…"),
    since: str | None = typer.Option(None, "--since", help="ISO 8601 time, inclusive (UTC)."),
    until: str | None = typer.Option(None, "--until", help="ISO 8601 time, exclusive (UTC)."),
    after_seq: int = typer.Option(0, "--after-seq", min=0, help="Records after this seq."),
    limit: int = typer.Option(100, "--limit", min=1, max=QUERY_LIMIT_MAX),
    output_format: str = typer.Option("json", "--format", help="json (one object a line) or csv."),
) -> None:
    """Print the audit records that match every filter, in seq order. Page on with
    --after-seq set to the last seq printed."""
    if output_format not in ("json", "csv"):
        raise typer.BadParameter("--format takes json or csv")
    try:
        wanted = AuditQuery(
            actor=actor,
            action_prefix=action,
            subject=subject,
            since_ms=_time_ms("--since", since),
            until_ms=_time_ms("--until", until),
            after_seq=after_seq,
            limit=limit,
        )
    except InvalidInput as error:
        raise typer.BadParameter(str(error)) from None
    page = run(_with_audit(database_url, lambda audit: audit.query(wanted)))
    rows = [record_as_json(record) for record in page.records]
    if output_format == "json":
        for row in rows:
            print_json(row)
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=_CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for record, row in zip(page.records, rows, strict=True):
        writer.writerow({**row, "before": record.before_json, "after": record.after_json})
