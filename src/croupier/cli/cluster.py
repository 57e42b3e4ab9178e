"""``croupier cluster``: the whole topology on loopback (docs/operations.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(
    help="The scale-out topology on loopback: PostgreSQL HA (Patroni, etcd), NATS ×3, Redis "
    "with Sentinel, HAProxy (TLS 1.3) and the Croupier processes. See docs/operations.md.",
    no_args_is_help=True,
)

DIR_OPTION = typer.Option(
    ..., "--dir", help="The cluster's directory: configs, data, logs (DIR/logs), pids (DIR/run)."
)
JSON_OPTION = typer.Option(False, "--json", help="Print one JSON object.")


def _progress(message: str) -> None:
    typer.echo(message, err=True)


def _print(description: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(description, indent=2))
        return
    for key in ("url", "database_url", "stream_url", "state_url", "stats_url", "ca_file"):
        typer.echo(f"{key:14} {description[key]}")
    typer.echo(f"{'croupier':14} {description['croupier_mode']}")
    typer.echo(f"\n{'component':14} {'pid':>8} {'port':>6}  role")
    for name, entry in description["components"].items():
        pid = entry["pid"] if entry["pid"] is not None else "-"
        typer.echo(f"{name:14} {pid:>8} {entry['port']:>6}  {entry['role']}")


def _fail(error: Exception) -> None:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(1)


@app.command("up")
def up(
    directory: Path = DIR_OPTION,
    gateways: int = typer.Option(2, "--gateways", min=1, max=32, help="Gateways to run."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Install what is missing (apt-get, as root), write every config under DIR, start every
    process, wait until all are healthy, print the endpoints."""
    from croupier.cluster import status
    from croupier.cluster import up as cluster_up

    try:
        layout = cluster_up.up(directory, gateways, _progress)
    except (RuntimeError, OSError) as error:
        _fail(error)
    _print(status.describe(layout), as_json)


@app.command("status")
def status_command(directory: Path = DIR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Every component: pid, port, role now (primary, standby, active …), and the endpoints."""
    from croupier.cluster import status
    from croupier.cluster.layout import Layout

    try:
        layout = Layout.load(directory)
    except FileNotFoundError as error:
        _fail(error)
    _print(status.describe(layout), as_json)


@app.command("kill")
def kill(
    name: str = typer.Argument(
        ...,
        help="A component (gateway-1, nats-1, etcd-2 …) or a role: postgres-primary, "
        "postgres-standby, redis-primary, redis-replica, writer-active, writer-standby.",
    ),
    directory: Path = DIR_OPTION,
) -> None:
    """kill -9 one component (its whole process group)."""
    from croupier.cluster import status
    from croupier.cluster.layout import Layout

    try:
        target, pids = status.kill(Layout.load(directory), name)
    except (FileNotFoundError, LookupError) as error:
        _fail(error)
    typer.echo(f"killed {target} (pids {', '.join(map(str, pids))})")


@app.command("down")
def down(directory: Path = DIR_OPTION) -> None:
    """Stop every process of the cluster (data stays in DIR until the next `up`)."""
    from croupier.cluster import down as cluster_down
    from croupier.cluster.layout import Layout

    try:
        layout = Layout.load(directory)
    except FileNotFoundError as error:
        _fail(error)
    left = cluster_down.down(layout, _progress)
    if left:
        typer.echo(f"error: still running: {left}", err=True)
        raise typer.Exit(1)
    typer.echo(f"cluster in {layout.dir} stopped")
