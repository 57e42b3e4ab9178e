"""``croupier aml export``: the AML risk flags raised in a period, for a suspicious-activity
report (docs/compliance.md, AML). Read-only: it runs beside a live server."""

from __future__ import annotations

import time

import typer

from croupier.bootstrap import make_audit_store, open_ledger
from croupier.cli.common import DATABASE_URL_OPTION, run, settings_for
from croupier.cli.export import day_bounds_ms
from croupier.kyc_aml_wiring import make_kyc_aml_store
from croupier.services.aml import RiskQueue, flags_csv, flags_json
from croupier.services.audit import AuditEntry, AuditLog

app = typer.Typer(help="AML: the risk queue's export.", no_args_is_help=True)


@app.command("export")
def export(
    first: str = typer.Option(..., "--from", help="First UTC day, YYYY-MM-DD."),
    last: str = typer.Option(..., "--to", help="Last UTC day, included."),
    output: str = typer.Option("json", "--format", help="json (an array) or csv."),
    database_url: str | None = DATABASE_URL_OPTION,
) -> None:
    """Every flag raised in the period, open or resolved, with the figures its rule saw;
    recorded in the audit trail (``aml.exported``, actor ``system``)."""
    if output not in ("json", "csv"):
        raise typer.BadParameter("--format is json or csv")
    start_ms, end_ms = day_bounds_ms(first, last)
    settings = settings_for(database_url)

    async def read() -> str:
        ledger = await open_ledger(settings, writer=False)  # checks the schema first
        await ledger.close()
        store = make_kyc_aml_store(settings.database_url)
        audit = AuditLog(make_audit_store(settings.database_url))
        await store.open()
        try:
            await audit.open()
            flags = await RiskQueue(store, audit, clock_ms=lambda: time.time_ns() // 10**6).export(
                start_ms, end_ms
            )
            await audit.record(
                AuditEntry(
                    "system",
                    "aml.exported",
                    subject="risk:flags",
                    after={"from_ms": start_ms, "to_ms": end_ms, "flags": len(flags)},
                )
            )
        finally:
            await audit.close()
            await store.close()
        return flags_csv(flags) if output == "csv" else flags_json(flags)

    typer.echo(run(read()), nl=False)
