"""``croupier ledger …``: inspect and verify the ledger of record."""

from __future__ import annotations

import json

import typer

from croupier.bootstrap import open_ledger
from croupier.cli.common import DATABASE_URL_OPTION, print_json, run, settings_for
from croupier.domain.ledger import Account, Balance
from croupier.domain.money import Money, currency, format_amount
from croupier.services.ledger import verify_ledger

app = typer.Typer(help="Inspect and verify the ledger of record.", no_args_is_help=True)


@app.command()
def verify(
    database_url: str | None = DATABASE_URL_OPTION,
    expect: str | None = typer.Option(
        None,
        "--expect",
        metavar="SEQ:HASH",
        help="A head printed by an earlier verify, kept outside the database: that batch "
        "must still be in the chain with that hash (catches a chain rewritten or cut short).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Recompute the hash chain and every invariant. Exit 0 if the ledger is sound, 1 on any
    break, 2 if it could not be read (no ledger there, database unreachable)."""
    anchor = parse_anchor(expect) if expect is not None else None

    async def go() -> None:
        ledger = await open_ledger(settings_for(database_url), writer=False)
        try:
            report = await verify_ledger(ledger.store, anchor)
        finally:
            await ledger.close()
        if as_json:
            print_json(
                {
                    "ok": report.ok,
                    "batches": report.batches,
                    "accounts": report.accounts,
                    "transfers": report.transfers,
                    "head_seq": report.head_seq,
                    "head_hash": report.head_hash,
                    "head": f"{report.head_seq}:{report.head_hash}",
                    "problems_total": report.problems_total,
                    "problems": report.problems,
                }
            )
        else:
            typer.echo(
                f"{report.batches} batches, {report.accounts} accounts, {report.transfers} "
                f"transfers; head {report.head_seq}:{report.head_hash}"
            )
            for problem in report.problems:
                typer.echo(f"BROKEN: {problem}")
            if report.problems_total > len(report.problems):
                typer.echo(f"… and {report.problems_total - len(report.problems)} more problems")
            typer.echo(
                "ledger OK" if report.ok else f"ledger BROKEN ({report.problems_total} problems)"
            )
        if not report.ok:
            raise typer.Exit(1)

    run(go())


def parse_anchor(text: str) -> tuple[int, str]:
    """``SEQ:HASH`` as a verify prints its head (the ledger's and the audit trail's)."""
    seq, _, digest = text.partition(":")
    if not (seq.isdigit() and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)):
        raise typer.BadParameter("--expect takes SEQ:HASH, as verify prints its head")
    return int(seq), digest


def _balance_json(account: Account, balance: Balance) -> dict[str, object]:
    unit = currency(account.currency)
    return {
        "account": account.id,
        "kind": account.kind.value,
        "currency": account.currency,
        "posted_minor": balance.posted,
        "pending_minor": balance.pending,
        "available_minor": balance.available,
        "floor_minor": account.floor_minor,
        "available": format_amount(Money(balance.available, unit)),
    }


@app.command()
def balance(
    account_id: str = typer.Argument(..., help="Account id, e.g. house:EUR."),
    database_url: str | None = DATABASE_URL_OPTION,
) -> None:
    """Print one account's posted, pending and available balance (committed data) as JSON."""

    async def go() -> None:
        ledger = await open_ledger(settings_for(database_url), writer=False)
        try:
            account, account_balance = await ledger.balance(account_id)
        finally:
            await ledger.close()
        print_json(_balance_json(account, account_balance))

    run(go())


@app.command()
def accounts(database_url: str | None = DATABASE_URL_OPTION) -> None:
    """List every account with its balance, one JSON object per line."""

    async def go() -> None:
        ledger = await open_ledger(settings_for(database_url), writer=False)
        try:
            for account, account_balance in await ledger.store.all_accounts():
                print_json(_balance_json(account, account_balance))
        finally:
            await ledger.close()

    run(go())


@app.command()
def history(
    account_id: str = typer.Argument(..., help="Account id."),
    limit: int = typer.Option(20, "--limit", min=1, max=1000, help="How many transfers."),
    before_seq: int | None = typer.Option(None, "--before", help="Only transfers before this seq."),
    database_url: str | None = DATABASE_URL_OPTION,
) -> None:
    """An account's transfers, newest first, one JSON object per line (none printed for an
    account without any; exit 2 for an account that does not exist)."""

    async def go() -> None:
        ledger = await open_ledger(settings_for(database_url), writer=False)
        try:
            await ledger.balance(account_id)  # AccountNotFound: exit 2, as `balance` does
            rows = await ledger.history(account_id, limit=limit, before_seq=before_seq)
        finally:
            await ledger.close()
        for seq, transfer in rows:
            print_json(
                {
                    "seq": seq,
                    "id": transfer.id,
                    "kind": transfer.kind.value,
                    "debit": transfer.debit_account_id,
                    "credit": transfer.credit_account_id,
                    "amount_minor": transfer.amount_minor,
                    "currency": transfer.currency,
                    "pending_id": transfer.pending_id,
                    "reason": transfer.reason,
                    "metadata": json.loads(transfer.metadata_json),
                    "timestamp_ms": transfer.timestamp_ms,
                    "batch": transfer.batch_seq,
                }
            )

    run(go())
