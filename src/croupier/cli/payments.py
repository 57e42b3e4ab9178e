"""``croupier payments reconcile``: the ledger's payment movements of a day against each
provider's settlement report (docs/payments.md, "Reconciliation"). Read-only on the ledger."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import typer

from croupier.adapters.payments import SandboxPaymentProvider
from croupier.bootstrap import open_ledger
from croupier.cli.common import DATABASE_URL_OPTION, fail, run, settings_for
from croupier.domain.payments.reconciliation import Reconciliation
from croupier.payments_wiring import open_payments
from croupier.services.payments.reconcile import reconcile_day, report_items

app = typer.Typer(help="Payments: reconciliation with the providers.", no_args_is_help=True)


@app.command("reconcile")
def reconcile(
    date: str = typer.Option(..., "--date", help="The UTC day, YYYY-MM-DD."),
    report_dir: Path = typer.Option(
        Path("."),
        "--report-dir",
        help="Where the items for the back office go: reconciliation-DAY.jsonl, one JSON "
        "line per mismatch or one-sided line (written only when there is one).",
    ),
    database_url: str | None = DATABASE_URL_OPTION,
) -> None:
    """Compare the day's settled charges, payouts, refunds and chargebacks on the ledger with
    each configured provider's settlement report (CROUPIER_PAYMENT_PROVIDERS). Prints the
    matches, amount mismatches and lines found on one side only; exits 1 when anything does
    not match (and writes the items file), 0 when both sides agree. The instant in-process
    sandbox keeps no report and is left out."""
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        fail(f"--date must be YYYY-MM-DD, got {date!r}")
    settings = settings_for(database_url)

    async def compare() -> Reconciliation:
        ledger = await open_ledger(settings, writer=False)
        try:
            payments = await open_payments(settings, ledger, _no_players, poller=False)
            try:
                router = payments.service.router
                providers = [
                    p
                    for p in map(router.provider, router.names)
                    if p is not None and not isinstance(p, SandboxPaymentProvider)
                ]
                return await reconcile_day(payments.service, day, providers)
            finally:
                await payments.close()
        finally:
            await ledger.close()

    result = run(compare())
    for match in result.matches:
        typer.echo(f"match        {match.provider} {match.ledger.reference} {match.ledger.kind} "
                   f"{match.ledger.amount_minor} {match.ledger.currency}")  # fmt: skip
    items = report_items(day, result)
    for item in items:
        typer.echo(f"MISMATCH     {item}")
    typer.echo(
        f"{len(result.matches)} matches, {len(result.mismatches)} amount mismatches, "
        f"{len(result.only_in_ledger)} only in the ledger, "
        f"{len(result.only_at_provider)} only at a provider"
    )
    if items:
        report_dir.mkdir(parents=True, exist_ok=True)
        path = report_dir / f"reconciliation-{day.isoformat()}.jsonl"
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(f"{item}\n" for item in items), encoding="utf-8")
        os.replace(tmp, path)  # whole or not at all
        typer.echo(f"items for the back office: {path}")
        raise typer.Exit(1)


async def _no_players(player_id: str) -> None:
    return None
