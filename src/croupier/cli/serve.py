"""``croupier serve``: the HTTP API on uvicorn (uvloop, httptools)."""

from __future__ import annotations

import dataclasses

import typer

from croupier.cli.common import (
    DATABASE_URL_OPTION,
    collect_garbage_for_throughput,
    fail,
    settings_for,
)
from croupier.cli.security_log import show_security_log


def serve(
    database_url: str | None = DATABASE_URL_OPTION,
    host: str | None = typer.Option(
        None, "--host", envvar="CROUPIER_HOST", help="Default 127.0.0.1."
    ),
    port: int | None = typer.Option(
        None, "--port", envvar="CROUPIER_PORT", min=1, max=65535, help="Default 8000."
    ),
    role: str = typer.Option(
        "all-in-one",
        "--role",
        envvar="CROUPIER_ROLE",
        help="all-in-one (default: this process writes the ledger) or gateway (stateless: "
        "PostgreSQL for reads, the active `croupier writer` over NATS for writes; run many).",
        show_envvar=True,
    ),
) -> None:
    """Serve the HTTP API (docs at /docs, OpenAPI at /openapi.json) and the WebSocket
    gateway (/v1/ws, docs/realtime.md) on one port.

    With --role gateway, any number of copies share one PostgreSQL database and reach its
    ledger writer (`croupier writer`) over NATS at CROUPIER_STREAM_URL, signing with
    CROUPIER_LEDGER_SECRET (the writers' own); with no writer active, writes answer 503
    ledger-unavailable with Retry-After (docs/operations.md)."""
    import uvicorn

    from croupier.api.http import create_app
    from croupier.api.ws import shared_port_protocol

    settings = settings_for(database_url)
    if role not in ("all-in-one", "gateway"):
        fail(f"--role must be all-in-one or gateway, got {role!r}")
    if role == "gateway" and not settings.database_url.startswith(("postgresql://", "postgres://")):
        fail("--role gateway needs PostgreSQL (--database-url postgresql://…)")
    if role == "gateway" and not settings.realtime.stream_url.startswith(("nats://", "tls://")):
        fail("--role gateway needs CROUPIER_STREAM_URL=nats://HOST:PORT (the writer's NATS)")
    if role == "gateway" and settings.cluster.ledger_secret is None:
        fail(
            "--role gateway needs CROUPIER_LEDGER_SECRET (its writers' own); generate one"
            " with: python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    http = dataclasses.replace(
        settings.http, host=host or settings.http.host, port=port or settings.http.port
    )
    settings = dataclasses.replace(settings, http=http)
    typer.echo(
        f"Croupier on http://{http.host}:{http.port} — API docs http://{http.host}:{http.port}/docs"
        f" — WebSocket ws://{http.host}:{http.port}/v1/ws — ledger {settings.database_url}"
        f" — events {settings.realtime.stream_url}"
        + (" — role gateway" if role == "gateway" else "")
    )
    app = create_app(settings, role=role)
    collect_garbage_for_throughput()
    show_security_log()
    uvicorn.run(
        app,
        host=http.host,
        port=http.port,
        loop="uvloop",
        http=shared_port_protocol(app.state.gateway, http),
        ws="none",  # /v1/ws is picows's, handed over before uvicorn sees it
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=10,
        # uvicorn trusts X-Forwarded-For from 127.0.0.1 by default: a client could then
        # pick its own address (the login limits, the login record). Only named proxies.
        proxy_headers=bool(http.trusted_proxies),
        forwarded_allow_ips=list(http.trusted_proxies) or None,
    )
