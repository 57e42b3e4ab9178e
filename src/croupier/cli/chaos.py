"""``croupier chaos``: kill cluster components in turn under load, then audit the ledger."""

from __future__ import annotations

from pathlib import Path

import typer

from croupier.cli.common import print_json, run


def chaos(
    directory: Path = typer.Option(
        ...,
        "--dir",
        help="The cluster's directory: a running cluster is used, else one is started.",
    ),
    players: int = typer.Option(500, "--players", min=1, max=20_000, help="WebSocket players."),
    http_clients: int = typer.Option(
        16,
        "--http-clients",
        min=1,
        max=1_000,
        help="HTTP clients playing rounds (same key on retry).",
    ),
    gateways: int = typer.Option(
        2, "--gateways", min=2, max=32, help="Gateways, when starting a cluster."
    ),
    kill: list[str] | None = typer.Option(
        None,
        "--kill",
        help="What to kill, in order (repeatable; default: gateway-1, writer-active, "
        "postgres-primary, nats-1, redis-primary).",
    ),
    warmup: float = typer.Option(
        10.0, "--warmup", min=1, help="Seconds of load before the first kill (the baseline)."
    ),
    phase_min: float = typer.Option(
        5.0, "--phase-min", min=1, help="Each kill's phase lasts at least this long."
    ),
    phase_deadline: float = typer.Option(
        90.0, "--phase-deadline", min=5, help="Give up waiting for recovery after this long."
    ),
    slow: float = typer.Option(
        1.0,
        "--slow",
        min=0.05,
        help="An attempt slower than this (or than 3 × the baseline's p99, if more) is an error.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Run a load through HAProxy while killing a gateway, the active writer, the PostgreSQL
    primary, a NATS node and the Redis primary in turn; measure each error window, p99 and
    recovery; check that no acknowledged round was lost or applied twice, wallets equal their
    history, the ledger verifies, and every WebSocket stream resumed without gap or duplicate.
    Exit 1 when a check fails. See docs/operations.md, "Chaos run"."""
    from croupier.chaos import KILLS, ChaosError
    from croupier.chaos.report import render
    from croupier.chaos.run import Options, run_chaos

    options = Options(
        directory=directory.resolve(),
        players=players,
        http_clients=http_clients,
        gateways=gateways,
        kills=tuple(kill) if kill else KILLS,
        warmup_s=warmup,
        phase_min_s=phase_min,
        phase_deadline_s=phase_deadline,
        slow_s=slow,
    )

    def progress(message: str) -> None:
        typer.echo(message, err=True)

    try:
        result = run(run_chaos(options, progress))
    except (ChaosError, LookupError, RuntimeError, OSError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    if as_json:
        print_json(result)
    else:
        typer.echo(render(result))
    if not result["ok"]:
        raise typer.Exit(1)
