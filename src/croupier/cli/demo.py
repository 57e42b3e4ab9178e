"""``croupier demo``: a short, real walk through the ledger with a slot game (``make run``)."""

from __future__ import annotations

import secrets

import typer

from croupier.adapters.game_files import GameFiles
from croupier.bootstrap import open_ledger
from croupier.cli.common import DATABASE_URL_OPTION, run, settings_for
from croupier.domain.games.slots import SlotGame
from croupier.domain.ledger import AccountKind, Command
from croupier.domain.money import Money, currency, format_amount
from croupier.domain.rng import CsprngSource
from croupier.services.jackpots import JackpotPools, pool_account
from croupier.services.ledger import Ledger, verify_ledger
from croupier.services.ledger.bets import reserve_stake, settle_bet

HOUSE, CLEARING = "house:EUR", "clearing:EUR"
EUR = currency("EUR")


def _eur(minor: int) -> str:
    return format_amount(Money(minor, EUR)) + " EUR"


async def _open_accounts(ledger: Ledger, player: str, jackpot: str) -> None:
    """Opening an account is idempotent, so the house accounts survive many demo runs."""
    for account_id, kind, floor in (
        (HOUSE, AccountKind.HOUSE_BANKROLL, -(10**12)),
        (CLEARING, AccountKind.PAYMENT_CLEARING, None),
        (jackpot, AccountKind.JACKPOT_POOL, 0),
        (player, AccountKind.PLAYER_CASH, 0),
    ):
        await ledger.open_account(account_id, kind, "EUR", floor_minor=floor)


async def _demo(database_url: str | None, game_id: str, spins: int, stake_minor: int) -> None:
    settings = settings_for(database_url)
    game = SlotGame.from_data(GameFiles.shipped(overlay=settings.games_dir).load(game_id))
    game.check_stake(stake_minor)
    run_id = secrets.token_hex(4)
    player, jackpot = f"player:demo-{run_id}:cash", pool_account(game_id, "EUR")
    ledger = await open_ledger(settings)
    try:
        typer.echo(f"ledger: {settings.database_url}")
        await _open_accounts(ledger, player, jackpot)
        pools, rule = JackpotPools(ledger, settings.house_floor_minor), game.definition.jackpot
        if rule is not None:
            await pools.ensure_seeded(game_id, "EUR", rule)
        await ledger.transfer(
            f"demo-{run_id}:deposit",
            debit_account_id=CLEARING,
            credit_account_id=player,
            amount_minor=100_00,
            currency="EUR",
            reason="deposit",
        )
        typer.echo(f"opened {player} and deposited {_eur(100_00)}")
        rng = CsprngSource()
        for spin in range(1, spins + 1):
            bet = f"demo-{run_id}:{spin}"
            await ledger.submit(
                [
                    reserve_stake(
                        bet,
                        player_account=player,
                        house_account=HOUSE,
                        stake_minor=stake_minor,
                        currency="EUR",
                    )
                ]
            )
            outcome = game.play_round(rng)
            win = outcome.settle(stake_minor)
            group: list[Command] = [
                *settle_bet(
                    bet,
                    player_account=player,
                    house_account=HOUSE,
                    jackpot_account=jackpot,
                    currency="EUR",
                    contribution_minor=game.jackpot_contribution_minor(stake_minor),
                    win_minor=win,
                )
            ]
            if outcome.jackpot_hit and rule is not None:  # the whole pool, then the reseed
                group += pools.payout(bet, game_id, "EUR", player, rule)
            await ledger.submit(group)
            _, balance = await ledger.balance(player)
            typer.echo(
                f"spin {spin}: stops {list(outcome.stops)} stake {_eur(stake_minor)} "
                f"win {_eur(win)}{' + JACKPOT' if outcome.jackpot_hit else ''} "
                f"balance {_eur(balance.available)}"
            )
        report = await verify_ledger(ledger.store)
        typer.echo(
            f"ledger verify: {'OK' if report.ok else 'BROKEN'} — {report.batches} batches, "
            f"{report.transfers} transfers, head {report.head_hash[:16]}…"
        )
    finally:
        await ledger.close()


def demo(
    database_url: str | None = DATABASE_URL_OPTION,
    game_id: str = typer.Option(
        "lotus-20", "--game", help="A slot game id (shipped or in CROUPIER_GAMES_DIR)."
    ),
    spins: int = typer.Option(5, "--spins", min=1, max=1000),
    stake_minor: int = typer.Option(100, "--stake-minor", min=1, help="Stake in minor units."),
) -> None:
    """Open a demo player, play a few slot spins settled on the ledger, then verify it."""
    run(_demo(database_url, game_id, spins, stake_minor))
