"""The ASGI application: created from settings, opens the platform when the server starts."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from prometheus_client import CollectorRegistry

from croupier import __version__
from croupier.api.http.cors import add_cors
from croupier.api.http.headers import HeadLikeGet, NoStore, SecurityHeaders
from croupier.api.http.limits import BodySizeLimit
from croupier.api.http.metrics import (
    BlockedCollector,
    GatewayCollector,
    HttpMetrics,
    LeaderboardCollector,
    LedgerCollector,
    rounds_counter,
)
from croupier.api.http.problems import install_problem_handlers
from croupier.api.http.routes import (
    bonuses,
    cards,
    engagement,
    fairness,
    games,
    health,
    jackpots,
    kyc,
    payments,
    player_security,
    players,
    poker,
    recommendations,
    responsible,
    rounds,
    wallet,
)
from croupier.api.ws import Gateway
from croupier.bootstrap import Platform, open_platform, unavailable_errors
from croupier.config import Settings
from croupier.web import player_site

__all__ = ["create_app"]

#: Where the Swagger UI and ReDoc scripts, styles and icon are served from.
_DOCUMENTATION_ASSETS = "/docs/assets"
#: What a cache may keep: the API's documentation, never its answers.
_DOCUMENTATION_PATHS = ("/docs", "/redoc", "/openapi.json")
#: The pages among them, with their scripts: the others get the API's strict policy.
_DOCUMENTATION_PAGES = ("/docs", "/redoc")


def create_app(
    settings: Settings, *, role: str = "all-in-one", platform: Platform | None = None
) -> FastAPI:
    """One app per server process; the platform (database, ledger writer) opens on start-up.
    ``role="gateway"``: the ledger is another process's (``croupier writer``), over NATS.
    ``platform``: one already open, which the caller closes (``croupier serve`` shares it
    with the admin app).

    ``app.state.gateway`` serves ``/v1/ws`` on the same port (see :mod:`croupier.api.ws.port`).
    """
    unavailable = unavailable_errors(settings.database_url)
    gateway = Gateway(
        settings.realtime,
        trusted_proxies=settings.http.trusted_proxies,
        unavailable=unavailable,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.platform = platform or await open_platform(settings, role=role)
        gc.freeze()  # what start-up loaded lives as long as the process: never scan it again
        try:
            await gateway.start(app.state.platform)
            yield
        finally:
            try:
                await gateway.close()
            finally:
                if platform is None:
                    await app.state.platform.close()

    # FastAPI's own /docs and /redoc load their scripts from a public CDN: blank offline.
    app = FastAPIOffline(
        title="Croupier",
        version=__version__,
        summary="Casino game backend: wallet ledger, fair games, real time.",
        lifespan=lifespan,
        static_url=_DOCUMENTATION_ASSETS,
    )
    app.state.gateway = gateway
    registry = CollectorRegistry()
    registry.register(LedgerCollector(lambda: _writer_stats(app)))
    registry.register(GatewayCollector(gateway))
    registry.register(BlockedCollector(lambda: _blocked_counts(app)))
    registry.register(LeaderboardCollector(lambda: _leaderboards(app)))
    app.state.registry = registry
    app.state.rounds_counter = rounds_counter(registry)
    install_problem_handlers(app, unavailable=unavailable)
    # The API's routers, then the player client (docs/web.md): its page, modules and
    # vendored libraries, whose catch-all paths come last.
    for module in (
        health,
        players,
        player_security,
        wallet,
        rounds,
        fairness,
        games,
        jackpots,
        responsible,
        kyc,
        cards,
        poker,
        payments,
        engagement,
        recommendations,
        bonuses,
        player_site,
    ):
        app.include_router(module.router)
    # Each one added wraps the ones before, so a request meets them bottom up: CORS answers
    # preflights (and marks the rest) for the allowed origins, every answer gets the security
    # headers, HEAD becomes GET, every answer gets no-store, every request is counted, then
    # oversize bodies are refused before routing.
    app.add_middleware(BodySizeLimit, body_bytes_max=settings.http.body_bytes_max)
    app.add_middleware(HttpMetrics, registry=registry)
    app.add_middleware(NoStore, cacheable_prefixes=_DOCUMENTATION_PATHS)
    app.add_middleware(HeadLikeGet)
    app.add_middleware(SecurityHeaders, documentation_prefixes=_DOCUMENTATION_PAGES)
    if settings.http.cors_origins:
        add_cors(app, settings.http.cors_origins)
    return app


def _blocked_counts(app: FastAPI) -> Mapping[tuple[str, str, str], int] | None:
    platform = getattr(app.state, "platform", None)
    gate = platform.compliance if platform is not None else None
    return gate.blocked.counts if gate is not None else None


def _leaderboards(app: FastAPI) -> Any:
    platform = getattr(app.state, "platform", None)
    engagement = platform.engagement if platform is not None else None
    return engagement.leaderboards if engagement is not None else None


def _writer_stats(app: FastAPI):  # type: ignore[no-untyped-def]
    platform = getattr(app.state, "platform", None)
    writer = platform.ledger.writer if platform is not None else None
    return writer.stats if writer is not None else None
