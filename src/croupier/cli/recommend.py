"""``croupier recommend train``: train the recommendation model on the database's play counts
and say what it learned, with its hit-rate@5 on a held-out split of those counts. Read-only:
it runs beside a live server (which trains its own model, docs/engagement.md)."""

from __future__ import annotations

import random
from typing import Any

import typer

from croupier.bootstrap import open_ledger
from croupier.cli.common import DATABASE_URL_OPTION, print_json, run, settings_for

app = typer.Typer(help="Game recommendations (docs/engagement.md).", no_args_is_help=True)


@app.command("train")
def train_command(
    rows_max: int = typer.Option(
        1_000_000, "--rows-max", min=1, help="(player, game) counts read, newest first."
    ),
    seed: int = typer.Option(18, "--seed", help="Seed of the held-out split."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    database_url: str | None = DATABASE_URL_OPTION,
) -> None:
    """Train on the recorded play counts: the players and games seen, the most popular
    games, each one's most similar games, and hit-rate@5 of the model against "most
    popular" with one game of each player held out."""
    settings = settings_for(database_url)

    async def train() -> dict[str, Any]:
        from croupier.personalisation_wiring import make_engagement_store
        from croupier.services.engagement.model import train as fit
        from croupier.services.engagement.simulation import evaluate_plays

        ledger = await open_ledger(settings, writer=False)  # checks the schema first
        await ledger.close()
        store = make_engagement_store(settings.database_url)
        await store.open()
        try:
            plays = await store.play_counts(limit=rows_max)
        finally:
            await store.close()
        model = fit(plays)
        similar = {}
        for i, game_id in enumerate(model.game_ids):
            order = sorted(range(len(model.game_ids)), key=lambda j: -model.similarity[i, j])
            similar[game_id] = [model.game_ids[j] for j in order[:3] if model.similarity[i, j] > 0]
        measured = evaluate_plays(plays, model.game_ids, rng=random.Random(seed))
        return {
            "rows": len(plays),
            "players": model.players,
            "games": len(model.game_ids),
            "most_popular": list(model.popularity[:10]),
            "similar": similar,
            "held_out_players": measured.players,
            "model_hit_rate_at_5": round(measured.model_hit_rate, 4),
            "popular_hit_rate_at_5": round(measured.popular_hit_rate, 4),
        }

    summary = run(train())
    if as_json:
        print_json(summary)
        return
    typer.echo(
        f"trained on {summary['rows']} counts: {summary['players']} players, "
        f"{summary['games']} games"
    )
    typer.echo(f"most popular: {', '.join(summary['most_popular']) or '-'}")
    for game_id, alike in summary["similar"].items():
        typer.echo(f"  {game_id}: like {', '.join(alike) or '-'}")
    typer.echo(
        f"hit-rate@5 over {summary['held_out_players']} held-out players: model "
        f"{summary['model_hit_rate_at_5']:.3f}, most popular {summary['popular_hit_rate_at_5']:.3f}"
    )
