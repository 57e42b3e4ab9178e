"""``croupier loadtest``: players over HTTP and WebSocket against a running server."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from croupier.cli.common import fail, print_json, run
from croupier.loadtest import LoadtestError, Mode

if TYPE_CHECKING:
    from croupier.loadtest.runner import Options, Outcome


def loadtest(
    url: str = typer.Option(
        "http://127.0.0.1:8000", "--url", help="The server's HTTP base URL; WebSocket: URL/v1/ws."
    ),
    players: int = typer.Option(
        10, "--players", min=1, max=100_000, help="Players loadtest-<i>@…, registered or reused."
    ),
    seconds: float = typer.Option(10.0, "--seconds", min=0.5, max=86_400, help="Run length."),
    mode: Mode = typer.Option(
        Mode.ROUNDS,
        "--mode",
        help="rounds: every player plays slot rounds (rounds/s, round-trip latency). "
        "idle: hold authenticated connections (server KiB per connection with --server-pid). "
        "jackpots: connections subscribe to the jackpots channel while one more player "
        "spins (tick delay to each subscriber). "
        "poker: --seats bots at each of --tables live cash tables play hold'em "
        "(hands/s, action round trip).",
    ),
    rate: float | None = typer.Option(
        None,
        "--rate",
        min=0.1,
        help="rounds: open loop at this many rounds/s in total, latency counted from each "
        "round's scheduled time (default: closed loop). jackpots: spins/s (default 2).",
    ),
    connections: int | None = typer.Option(
        None,
        "--connections",
        min=1,
        max=1_000_000,
        help="idle, jackpots: connections, spread over the players (default: one each).",
    ),
    stake: int = typer.Option(
        1000,
        "--stake",
        min=1,
        help="Minor units per round (lotus-20: 20-10000; under 250 "
        "a spin adds nothing to the jackpot, so jackpots mode sees no tick).",
    ),
    game: str = typer.Option("lotus-20", "--game", help="The slot game to play."),
    server_pid: int | None = typer.Option(
        None, "--server-pid", help="The server's pid on this machine: report its CPU and RSS."
    ),
    state_file: Path | None = typer.Option(
        None,
        "--state-file",
        help="Player tokens kept between runs (default: $XDG_CACHE_HOME/croupier/loadtest.json, "
        "or ~/.cache/croupier/loadtest.json).",
    ),
    connection_rate_max: float = typer.Option(
        45.0,
        "--connection-rate-max",
        min=1,
        help="Frames/s one connection may send (the server closes a connection over 50/s).",
    ),
    tables: int = typer.Option(
        2,
        "--tables",
        min=1,
        max=10_000,
        help="poker: live cash tables to play at (the server opens "
        "CROUPIER_POKER_TABLES_PER_GAME per holdem-* table file).",
    ),
    seats: int = typer.Option(
        4,
        "--seats",
        min=2,
        max=9,
        help="poker: bots at each table; the players are then loadtest-0 … "
        "tables × seats − 1 (--players is not used).",
    ),
    seed: int | None = typer.Option(
        None, "--seed", help="poker: the bots' random seed, to repeat their choices."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a latency histogram PNG here."),
) -> None:
    """Load-test a running server: N players over WebSocket for S seconds (docs/loadtest.md)."""
    from croupier.loadtest.runner import Options
    from croupier.loadtest.tokens import default_state_file

    _check(mode, players, rate, connections, connection_rate_max, plot)
    if mode is Mode.POKER:
        if rate is not None or connections is not None:
            raise typer.BadParameter(
                "poker bots play as fast as the tables deal", param_hint="--rate"
            )
        players = tables * seats
    options = Options(
        url=url.rstrip("/"),
        mode=mode,
        players=players,
        seconds=seconds,
        state_file=state_file or default_state_file(),
        rate=rate,
        connections=connections,
        game_id=game,
        stake=stake,
        server_pid=server_pid,
        connection_rate_max=connection_rate_max,
        tables=tables,
        seats=seats,
        seed=seed,
    )
    try:
        outcome = run(_run(options))
    except LoadtestError as error:
        fail(str(error))
    figures = outcome.figures
    if plot is not None:
        from croupier.loadtest.plot import plot_histogram

        plot_histogram(outcome.series, plot, title=outcome.title, xlabel="milliseconds")
        figures["plot"] = str(plot)
    if as_json:
        print_json(figures)
        return
    from croupier.loadtest.report import render

    for line in render(figures):
        typer.echo(line)
    if plot is not None:
        typer.echo(f"  histogram   {plot}")


async def _run(options: Options) -> Outcome:
    from croupier.loadtest.progress import ProgressBar
    from croupier.loadtest.runner import run_loadtest

    with ProgressBar() as bar:
        return await run_loadtest(options, bar)


def _check(
    mode: Mode,
    players: int,
    rate: float | None,
    connections: int | None,
    connection_rate_max: float,
    plot: Path | None,
) -> None:
    if mode is Mode.ROUNDS and connections is not None:
        raise typer.BadParameter(
            "rounds mode plays one connection per player", param_hint="--connections"
        )
    if mode is Mode.IDLE and rate is not None:
        raise typer.BadParameter("idle connections send nothing", param_hint="--rate")
    if mode is Mode.ROUNDS and rate is not None and rate > players * connection_rate_max:
        raise typer.BadParameter(
            f"{players} players send at most {players * connection_rate_max:,.0f} rounds/s "
            f"({connection_rate_max:g} per connection): add players",
            param_hint="--rate",
        )
    if mode is Mode.JACKPOTS and rate is not None and rate > connection_rate_max:
        raise typer.BadParameter(
            f"one player spins at most {connection_rate_max:g}/s", param_hint="--rate"
        )
    if plot is not None and plot.suffix.lower() != ".png":
        raise typer.BadParameter("the histogram is a PNG: FILE.png", param_hint="--plot")
