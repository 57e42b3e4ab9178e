"""``croupier rtp GAME``: exact PAR sheets and simulations, dispatched by game kind."""

from __future__ import annotations

from pathlib import Path

import typer


def rtp(
    game: str = typer.Argument(
        ..., help="Game id, e.g. a slot id, european-roulette, blackjack-6d-s17."
    ),
    exact: bool = typer.Option(False, "--exact", help="Enumerate the full cycle exactly."),
    spins: int | None = typer.Option(None, "--spins", min=1, help="Simulate N slot spins."),
    hands: int | None = typer.Option(None, "--hands", min=1, help="Simulate N blackjack hands."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a convergence plot (PNG)."),
    seed: int | None = typer.Option(None, "--seed", help="Simulation seed (default: random)."),
) -> None:
    """Return-to-player of a game: exact (--exact) or simulated (--spins / --hands)."""
    if game == "european-roulette":
        from croupier.analysis import roulette as analysis
    elif game.startswith("blackjack"):
        from croupier.analysis import blackjack as analysis  # type: ignore[no-redef]
    else:
        from croupier.analysis import slots as analysis  # type: ignore[no-redef]
    code = analysis.rtp_command(
        game, exact=exact, spins=spins, hands=hands, as_json=as_json, plot=plot, seed=seed
    )
    raise typer.Exit(code)
