"""``croupier bench …``: benchmarks that print figures."""

from __future__ import annotations

from dataclasses import asdict

import typer

from croupier.cli.common import collect_garbage_for_throughput, fail, print_json, run
from croupier.services.ledger import WriterLimits

app = typer.Typer(
    help="Benchmarks that print figures (see docs/benchmarks.md).", no_args_is_help=True
)


@app.command()
def ledger(
    backend: str = typer.Option("sqlite", "--backend", help="sqlite or postgres."),
    seconds: float = typer.Option(10.0, "--seconds", min=1, help="Group-commit run length."),
    producers: int = typer.Option(
        1000, "--producers", min=1, max=100_000, help="Concurrent producers (one player each)."
    ),
    naive_seconds: float = typer.Option(5.0, "--naive-seconds", min=1, help="Naive run length."),
    naive_producers: int = typer.Option(50, "--naive-producers", min=1, max=10_000),
    batch_commands_max: int = typer.Option(10_000, "--batch-max", min=1, max=100_000),
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        help="postgres: admin URL to create scratch databases on; sqlite: directory for files.",
    ),
    rate: float | None = typer.Option(
        None,
        "--rate",
        min=1,
        help="Open loop: this many settlements/s over the --producers players.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Bet settlements/s and request latency, group commit vs one transaction per request."""
    if backend not in ("sqlite", "postgres"):
        raise typer.BadParameter("--backend must be sqlite or postgres")
    from croupier.benchmarks.ledger import run_ledger_bench

    collect_garbage_for_throughput()  # as the server runs the ledger
    limits = WriterLimits(
        batch_commands_max=batch_commands_max,
        transfers_cached_max=max(200_000, 4 * batch_commands_max),
    )
    group, naive = run(
        run_ledger_bench(
            backend,
            seconds=seconds,
            producers=producers,
            naive_seconds=naive_seconds,
            naive_producers=naive_producers,
            database_url=database_url,
            limits=limits,
            rate=rate,
        )
    )
    # An open-loop rate caps the group figure: against the naive mode it would mean nothing.
    ratio = (
        group.settlements_per_s / naive.settlements_per_s
        if naive.settlements_per_s and rate is None
        else None
    )
    sound = all(r.verified and not r.failed for r in (group, naive))
    if as_json:
        print_json(
            {
                "backend": backend,
                "producers": producers,
                "settlements_per_s": round(group.settlements_per_s, 1),
                "p50_ms": round(group.p50_ms, 3),
                "p99_ms": round(group.p99_ms, 3),
                "settlement_p50_ms": round(group.settlement_p50_ms, 3),
                "settlement_p99_ms": round(group.settlement_p99_ms, 3),
                "naive_settlements_per_s": round(naive.settlements_per_s, 1),
                "naive_p50_ms": round(naive.p50_ms, 3),
                "naive_p99_ms": round(naive.p99_ms, 3),
                "ratio": None if ratio is None else round(ratio, 1),
                "verified": sound,
                "group": asdict(group),
                "naive": asdict(naive),
            }
        )
        if not sound:
            raise typer.Exit(1)
        return
    for result in (group, naive):
        typer.echo(
            f"{result.mode:>5}: {result.settlements_per_s:10,.0f} settlements/s   "
            f"request p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms   "
            f"settlement p99 {result.settlement_p99_ms:7.2f} ms   "
            f"({result.settlements:,} in {result.seconds:.1f} s, {result.batches:,} commits, "
            f"{result.failed:,} failed, verify {'OK' if result.verified else 'BROKEN'})"
        )
    if ratio is not None:
        typer.echo(f"group commit is {ratio:.1f}× the naive mode")
    if not sound:
        fail("a settlement failed or the ledger did not verify: the figures are not valid", 1)


@app.command()
def storage(
    backend: str = typer.Option("both", "--backend", help="sqlite, postgres or both."),
    players: int = typer.Option(50, "--players", min=1, max=10_000, help="Players, concurrent."),
    rounds: int = typer.Option(
        40, "--rounds", min=1, max=100_000, help="Measured rounds per player."
    ),
    roulette_share: float = typer.Option(
        0.0, "--roulette-share", min=0.0, max=1.0, help="Share of the rounds that are roulette."
    ),
    game: str = typer.Option("lotus-20", "--game", help="The slot played."),
    stake: int = typer.Option(100, "--stake", min=1, help="Slot stake, minor units."),
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        help="postgres: admin URL to create the scratch database on; sqlite: its directory "
        "(one backend only; with both, the defaults).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per backend."),
) -> None:
    """Bytes per round of every table and index (SQLite dbstat; PostgreSQL relation sizes
    after VACUUM), from rounds played through the round service on a fresh database."""
    if backend not in ("sqlite", "postgres", "both"):
        raise typer.BadParameter("--backend must be sqlite, postgres or both")
    from croupier.benchmarks.storage import run_storage_bench

    for name in ("sqlite", "postgres") if backend == "both" else (backend,):
        report = run(
            run_storage_bench(
                name,
                players=players,
                rounds_per_player=rounds,
                roulette_share=roulette_share,
                game_id=game,
                stake_minor=stake,
                database_url=database_url if backend != "both" else None,
            )
        )
        if as_json:
            print_json(report.as_json())
            continue
        typer.echo(
            f"{name}: {report.rounds:,} rounds ({report.slot_rounds:,} {game}, "
            f"{report.roulette_rounds:,} roulette): {report.total:,.0f} bytes a round"
        )
        for object_name, (kind, table, size) in sorted(
            report.objects.items(), key=lambda item: -item[1][2]
        ):
            if abs(size) >= 0.5:
                where = f" (on {table})" if kind == "index" else ""
                typer.echo(f"  {size:8,.1f}  {kind:5} {object_name}{where}")


@app.command()
def recommend(
    players: int = typer.Option(2000, "--players", min=10, max=1_000_000),
    clusters: int = typer.Option(5, "--clusters", min=1, max=100, help="Taste groups."),
    games: int = typer.Option(
        40, "--games", min=8, max=10_000, help="Catalogue size: the shipped games + synthetic."
    ),
    seed: int = typer.Option(18, "--seed", help="The same seed, the same figures."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Hit-rate@5 of the recommendation model against "most popular games", on simulated
    players with distinct tastes, one game of each held out (docs/benchmarks.md)."""
    import time

    from croupier.services.catalogue import GameCatalogue
    from croupier.services.engagement.simulation import World, evaluate, synthetic_games

    shipped = [g.game_id for g in GameCatalogue.load().games if g.kind != "holdem"]
    catalogue = synthetic_games(shipped, games)
    world = World(players=players, clusters=clusters)
    started = time.perf_counter()
    result = evaluate(catalogue, world, seed=seed)
    elapsed_s = time.perf_counter() - started
    figures = {
        **asdict(result),
        "shipped_games": len(shipped),
        "synthetic_games": len(catalogue) - len(shipped),
        "clusters": clusters,
        "seed": seed,
        "seconds": round(elapsed_s, 2),
    }
    if as_json:
        print_json(figures)
        return
    typer.echo(
        f"{result.players} players in {clusters} taste groups, {result.games} games "
        f"({len(shipped)} shipped + {len(catalogue) - len(shipped)} synthetic), seed {seed}"
    )
    typer.echo(f"hit-rate@{result.k}  model (item-item cosine)  {result.model_hit_rate:.3f}")
    typer.echo(f"hit-rate@{result.k}  most popular games        {result.popular_hit_rate:.3f}")
    typer.echo(f"simulate + train + score: {elapsed_s:.1f} s")
