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
    kind = _kind(game)
    if kind == "roulette":
        from croupier.analysis import roulette as analysis
    elif kind == "blackjack":
        from croupier.analysis import blackjack as analysis  # type: ignore[no-redef]
    else:  # slots; an unknown game is reported by the slots analysis, as any bad id
        from croupier.analysis import slots as analysis  # type: ignore[no-redef]
    code = analysis.rtp_command(
        game, exact=exact, spins=spins, hands=hands, as_json=as_json, plot=plot, seed=seed
    )
    raise typer.Exit(code)


def _kind(game: str) -> str:
    """The game's kind, from its data file."""
    from croupier.adapters.game_files import load_game_data
    from croupier.domain.errors import CroupierError

    try:
        return str(load_game_data(game).get("kind", ""))
    except CroupierError:
        return ""
