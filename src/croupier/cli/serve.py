"""``croupier serve``: the player API and the admin API, two listeners on one event loop.

One process opens the platform (database, ledger writer) once; the player app
(:func:`croupier.api.http.create_app`) and the admin app
(:func:`croupier.api.admin.create_admin_app`) share it, each on its own uvicorn ``Server``
and port. The back office is never reachable on the players' port.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging.config
import signal
import ssl
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import typer

from croupier.cli.common import (
    DATABASE_URL_OPTION,
    collect_garbage_for_throughput,
    fail,
    settings_for,
)
from croupier.cli.logs import server_log_config
from croupier.config import Settings

#: Seconds a stopping listener waits for its requests to finish.
_GRACEFUL_SHUTDOWN_S = 10


def serve(
    database_url: str | None = DATABASE_URL_OPTION,
    host: str | None = typer.Option(
        None, "--host", envvar="CROUPIER_HOST", help="Default 127.0.0.1."
    ),
    port: int | None = typer.Option(
        None, "--port", envvar="CROUPIER_PORT", min=1, max=65535, help="Default 8000."
    ),
    admin_host: str | None = typer.Option(
        None,
        "--admin-host",
        envvar="CROUPIER_ADMIN_HOST",
        help="Where the admin API (/admin/v1, /metrics) listens. Default 127.0.0.1.",
    ),
    admin_port: int | None = typer.Option(
        None,
        "--admin-port",
        envvar="CROUPIER_ADMIN_PORT",
        min=0,
        max=65535,
        help="The admin API's own port (default 8001; 0: no admin listener in this process). "
        "Only sources in CROUPIER_ADMIN_ALLOW reach it (default loopback).",
    ),
    role: str = typer.Option(
        "all-in-one",
        "--role",
        envvar="CROUPIER_ROLE",
        help="all-in-one (default: this process writes the ledger) or gateway (stateless: "
        "PostgreSQL for reads, the active `croupier writer` over NATS for writes; run many).",
        show_envvar=True,
    ),
    tls_cert: Path | None = typer.Option(
        None,
        "--tls-cert",
        envvar="CROUPIER_TLS_CERT",
        help="Certificate chain (PEM): with --tls-key, serve HTTPS and wss:// with TLS 1.3 only.",
    ),
    tls_key: Path | None = typer.Option(
        None, "--tls-key", envvar="CROUPIER_TLS_KEY", help="The certificate's private key (PEM)."
    ),
) -> None:
    """Serve the HTTP API (docs at /docs, OpenAPI at /openapi.json) and the WebSocket
    gateway (/v1/ws, docs/realtime.md) on one port, and the back office's admin API
    (/admin/v1, /metrics; docs/backoffice.md) on another.

    With --role gateway, any number of copies share one PostgreSQL database and reach its
    ledger writer (`croupier writer`) over NATS at CROUPIER_STREAM_URL, signing with
    CROUPIER_LEDGER_SECRET (the writers' own); with no writer active, writes answer 503
    ledger-unavailable with Retry-After (docs/operations.md)."""
    from croupier.adapters.cards.keys import load_card_kek
    from croupier.adapters.vault import load_kek
    from croupier.api.tls import listener_context
    from croupier.config import ConfigError

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
    try:  # before the banner: PostgreSQL without a key is refused, SQLite's is made now
        load_kek(settings)
        load_card_kek(settings)  # and the card vault's own
    except ConfigError as error:
        fail(str(error))
    http = dataclasses.replace(
        settings.http,
        host=host or settings.http.host,
        port=port or settings.http.port,
        tls_cert=tls_cert or settings.http.tls_cert,
        tls_key=tls_key or settings.http.tls_key,
    )
    admin = dataclasses.replace(
        settings.admin,
        host=admin_host or settings.admin.host,
        port=settings.admin.port if admin_port is None else admin_port,
    )
    if admin.port == http.port:
        fail(f"--admin-port {admin.port} is the players' port: the admin API needs its own")
    settings = dataclasses.replace(settings, http=http, admin=admin)
    try:  # before binding: a certificate that cannot serve is refused at start, not per client
        tls = listener_context(http)
    except ConfigError as error:
        fail(str(error))
    web, ws = ("https", "wss") if tls is not None else ("http", "ws")
    typer.echo(
        f"Croupier on {web}://{http.host}:{http.port} — API docs {web}://{http.host}:{http.port}/docs"
        f" — WebSocket {ws}://{http.host}:{http.port}/v1/ws"
        + (
            f" — admin {web}://{admin.host}:{admin.port}/admin/v1 (from {', '.join(admin.allow)})"
            if admin.port
            else " — no admin listener"
        )
        + f" — ledger {settings.database_url} — events {settings.realtime.stream_url}"
        + (" — role gateway" if role == "gateway" else "")
    )
    collect_garbage_for_throughput()
    import uvloop

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        code = runner.run(_serve(settings, role, tls))
    if code:
        raise typer.Exit(code)


def _listener(config: Any) -> Any:
    """One uvicorn ``Server`` among several in this process: signals are the process's
    (:func:`_stopping_on_signals`), not each server's."""
    import uvicorn

    class Listener(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            # uvicorn's own re-raises SIGTERM after its shutdown, which would end the
            # process before the platform (and the other listener) closed.
            yield

    return Listener(config)


def listener_config(app: Any, host: str, port: int, settings: Settings, **options: Any) -> Any:
    """The uvicorn configuration of one listener; ``options`` add to it (e.g. ``http=`` the
    shared-port protocol, or a later TLS context)."""
    import uvicorn

    http = settings.http
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="none",  # the loop is ours: both listeners run on it
        ws="none",  # /v1/ws is picows's, handed over before uvicorn sees it
        log_level="info",
        log_config=None,  # configured once by _serve, before the platform logs its start
        access_log=False,
        timeout_graceful_shutdown=_GRACEFUL_SHUTDOWN_S,
        # uvicorn trusts X-Forwarded-For from 127.0.0.1 by default: a client could then
        # pick its own address (the login limits, the login record, the admin allow-list).
        # Only named proxies.
        proxy_headers=bool(http.trusted_proxies),
        forwarded_allow_ips=list(http.trusted_proxies) or None,
        **options,
    )


async def _serve(settings: Settings, role: str, tls: ssl.SSLContext | None) -> int:
    """Open the platform, serve both listeners until a signal, close it; the exit code.
    With ``tls``, both listeners speak TLS 1.3 only, with the same certificate."""
    from croupier.api.admin import create_admin_app
    from croupier.api.http import create_app
    from croupier.api.tls import uvicorn_factory
    from croupier.api.ws import shared_port_protocol
    from croupier.bootstrap import open_platform

    # uvicorn's loggers and every croupier.* one (the security log), before the platform
    # opens: its first security line ("server.started") is written while it does.
    logging.config.dictConfig(server_log_config())
    secure: dict[str, Any] = {} if tls is None else {"ssl_context_factory": uvicorn_factory(tls)}

    platform = await open_platform(settings, role=role)
    try:
        app = create_app(settings, role=role, platform=platform)
        servers = [
            _listener(
                listener_config(
                    app,
                    settings.http.host,
                    settings.http.port,
                    settings,
                    http=shared_port_protocol(app.state.gateway, settings.http),
                    **secure,
                )
            )
        ]
        if settings.admin.port:
            admin_app = create_admin_app(settings, platform, registry=app.state.registry)
            servers.append(
                _listener(
                    listener_config(
                        admin_app,
                        settings.admin.host,
                        settings.admin.port,
                        settings,
                        lifespan="off",
                        **secure,
                    )
                )
            )
        with _stopping_on_signals(servers):
            codes = await asyncio.gather(*(_run(server, servers) for server in servers))
        return max(codes)
    finally:
        await platform.close()


async def _run(server: Any, servers: list[Any]) -> int:
    """Serve until told to stop; a listener that cannot start (its port taken) stops the
    others, and the process exits with uvicorn's code for it (3)."""
    try:
        await server.serve()
    except SystemExit as stop:  # uvicorn's answer to a port it cannot bind
        for other in servers:
            other.should_exit = True
        return int(stop.code or 1)
    return 0


@contextlib.contextmanager
def _stopping_on_signals(servers: list[Any]) -> Iterator[None]:
    """SIGINT and SIGTERM stop every listener gracefully (a second SIGINT: at once)."""

    def stop(sig: int, frame: FrameType | None) -> None:
        for server in servers:
            server.handle_exit(sig, frame)

    handled = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, stop) for sig in handled}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
