"""``croupier bonus``: the bonus engine's jobs (docs/bonuses.md). ``sweep`` ends due bonuses
(expired, wagering complete, funds spent); ``cashback`` pays a cashback offer for the last
completed period. Both are idempotent, and both write the ledger: they take the writer's
lock, so run them where no server holds it (a running server does both on its own schedule,
``CROUPIER_BONUS_SWEEP_S``)."""

from __future__ import annotations

import datetime as dt

import typer

from croupier.cli.common import DATABASE_URL_OPTION, fail, print_json, run, settings_for

app = typer.Typer(help="Bonuses: the sweep and cashback (docs/bonuses.md).", no_args_is_help=True)


@app.command("sweep")
def sweep_command(database_url: str | None = DATABASE_URL_OPTION) -> None:
    """End every bonus that is due and grant the deposit matches a crash interrupted; print
    how many bonuses ended or were granted."""
    settings = settings_for(database_url)

    async def sweep() -> int:
        from croupier.bootstrap import open_platform

        platform = await open_platform(settings)
        try:
            assert platform.bonus is not None
            return await platform.bonus.sweep()
        finally:
            await platform.close()

    typer.echo(f"{run(sweep())} bonuses ended or granted")


@app.command("cashback")
def cashback_command(
    offer_id: str = typer.Argument(..., help="The cashback offer."),
    today: str | None = typer.Option(
        None, "--today", help="YYYY-MM-DD: pay the last period completed before it (UTC today)."
    ),
    players_max: int = typer.Option(100_000, "--players-max", min=1, help="Players looked at."),
    database_url: str | None = DATABASE_URL_OPTION,
) -> None:
    """Pay the offer's cashback for the last completed period to every eligible player with
    a net loss; a rerun pays nobody twice. Prints the run as JSON."""
    settings = settings_for(database_url)
    try:
        day = dt.date.fromisoformat(today) if today else dt.datetime.now(dt.UTC).date()
    except ValueError:
        fail(f"--today must be YYYY-MM-DD, got {today!r}")

    async def pay() -> dict[str, object]:
        from croupier.bootstrap import open_platform

        platform = await open_platform(settings)
        try:
            assert platform.bonus is not None
            done = await platform.bonus.cashback(offer_id, today=day, players_max=players_max)
            return done.as_json()
        finally:
            await platform.close()

    print_json(run(pay()))
