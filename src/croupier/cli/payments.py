"""``croupier payments reconcile``: the ledger's payment movements of a day against each
provider's settlement report (docs/payments.md, "Reconciliation"). Read-only on the ledger;
each mismatch opens an item in the back office's reconciliation queue, once."""

from __future__ import annotations

import datetime as dt

import typer

from croupier.adapters.payments import SandboxPaymentProvider
from croupier.bootstrap import open_ledger
from croupier.cli.common import DATABASE_URL_OPTION, fail, run, settings_for
from croupier.domain.payments.reconciliation import Reconciliation
from croupier.payments_wiring import open_payments
from croupier.services.payments.reconcile import reconcile_day, report_items
from croupier.services.payments.reconciliation_items import items_of

app = typer.Typer(help="Payments: reconciliation with the providers.", no_args_is_help=True)


@app.command("reconcile")
def reconcile(
    date: str = typer.Option(..., "--date", help="The UTC day, YYYY-MM-DD."),
    database_url: str | None = DATABASE_URL_OPTION,
) -> None:
    """Compare the day's settled charges, payouts, refunds and chargebacks on the ledger with
    each configured provider's settlement report (CROUPIER_PAYMENT_PROVIDERS). Prints the
    matches, amount mismatches and lines found on one side only; exits 1 when anything does
    not match, 0 when both sides agree. Each mismatch and one-sided line opens an item in the
    back office's reconciliation queue (GET /admin/v1/payments/reconciliation); running the
    same day again opens nothing new. The instant in-process sandbox keeps no report and is
    left out."""
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        fail(f"--date must be YYYY-MM-DD, got {date!r}")
    settings = settings_for(database_url)

    async def compare() -> tuple[Reconciliation, int]:
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
                service = payments.service
                result = await reconcile_day(service, day, providers)
                opened = await service.store.open_items(items_of(day, result, service.clock_ms()))
                return result, opened
            finally:
                await payments.close()
        finally:
            await ledger.close()

    result, opened = run(compare())
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
        typer.echo(f"{opened} new items in the back office's reconciliation queue")
        raise typer.Exit(1)


async def _no_players(player_id: str) -> None:
    return None
