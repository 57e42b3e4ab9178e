"""``croupier writer``: the fenced ledger writer of a PostgreSQL database (active/standby)."""

from __future__ import annotations

import nats.errors
import typer

from croupier.cli.common import (
    DATABASE_URL_OPTION,
    collect_garbage_for_throughput,
    fail,
    run,
    settings_for,
)


def writer(
    database_url: str | None = DATABASE_URL_OPTION,
    health_port: int | None = typer.Option(
        None,
        "--health-port",
        envvar="CROUPIER_WRITER_HEALTH_PORT",
        min=1,
        max=65535,
        help="Serve GET /healthz and /readyz here (200 only while active with its database).",
        show_envvar=True,
    ),
    health_host: str = typer.Option(
        "127.0.0.1", "--health-host", help="The address of the health port."
    ),
) -> None:
    """Run the ledger writer of one PostgreSQL database: active or standby.

    Start two (or more) on one database: one takes the writer lease (`writer active
    epoch=N` on stderr) and commits; the others wait (`writer standby`) and take over when
    its lease runs out (CROUPIER_WRITER_LEASE_MS). The active writer relays the outbox to
    NATS and answers gateways (`croupier serve --role gateway`) over NATS request/reply,
    both at CROUPIER_STREAM_URL (nats://HOST:PORT, a comma-separated list for a cluster);
    requests and replies are signed with CROUPIER_LEDGER_SECRET (the same on every gateway).
    A writer that lost its lease never commits again: it exits with status 3. SQLite has
    no writer role: `croupier serve` is the whole of it. See docs/operations.md.
    """
    from croupier.roles.writer import run_writer

    settings = settings_for(database_url)
    if not settings.database_url.startswith(("postgresql://", "postgres://")):
        fail("croupier writer needs a PostgreSQL database (--database-url postgresql://…)")
    if not settings.realtime.stream_url.startswith(("nats://", "tls://")):
        fail("croupier writer needs NATS: set CROUPIER_STREAM_URL=nats://HOST:PORT")
    if settings.cluster.ledger_secret is None:
        fail(
            "croupier writer needs CROUPIER_LEDGER_SECRET (the same on its gateways); generate"
            " one with: python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    collect_garbage_for_throughput()
    try:
        status = run(run_writer(settings, health_host=health_host, health_port=health_port))
    except nats.errors.Error as error:
        fail(f"NATS could not be used at {settings.realtime.stream_url}: {error}")
    raise typer.Exit(status)
