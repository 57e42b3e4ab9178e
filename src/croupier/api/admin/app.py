"""The admin API's ASGI application: ``/admin/v1/…`` and ``/metrics`` on their own listener.

It shares the player app's :class:`~croupier.bootstrap.Platform` (one process, one database
pool, one ledger writer) and its metrics registry; ``croupier serve`` opens the platform once
and serves both apps on one event loop (:mod:`croupier.cli.serve`). Other parts of the back
office add their routers to :data:`ROUTERS` (one line each).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from prometheus_client import CollectorRegistry

from croupier import __version__
from croupier.api.admin import web
from croupier.api.admin.allow_list import AllowList, parse_networks
from croupier.api.admin.routes import (
    adjustments,
    audit,
    bonuses,
    engagement,
    kyc,
    metrics,
    operations,
    payments,
    players,
    reports,
    risk,
    segments,
    session,
    staff,
    withdrawals,
)
from croupier.api.http.headers import HeadLikeGet, NoStore, SecurityHeaders
from croupier.api.http.limits import BodySizeLimit
from croupier.api.http.problems import install_problem_handlers
from croupier.bootstrap import Platform, unavailable_errors
from croupier.config import Settings
from croupier.services.audit import AuditEntry

__all__ = ["ROUTERS", "create_admin_app"]

#: Every router of the admin API, in the order they are included.
ROUTERS: tuple[APIRouter, ...] = (
    session.router,
    staff.router,
    metrics.router,
    reports.router,
    audit.router,
    players.router,
    adjustments.router,
    withdrawals.router,
    operations.router,
    kyc.router,
    risk.router,
    payments.router,
    engagement.router,
    segments.router,
    bonuses.router,
)


def create_admin_app(
    settings: Settings, platform: Platform, *, registry: CollectorRegistry
) -> FastAPI:
    """The admin app on an open ``platform``; ``registry``: the metrics ``/metrics`` shows
    (the player app's, ``app.state.registry``). The caller opens and closes the platform."""
    app = FastAPI(
        title="Croupier back office",
        version=__version__,
        summary="Staff API: /admin/v1 (docs/backoffice.md).",
        docs_url=None,  # the player port's docs need assets served offline; here, the JSON
        redoc_url=None,
        openapi_url="/admin/v1/openapi.json",
    )
    app.state.platform = platform
    app.state.settings = settings
    app.state.registry = registry
    install_problem_handlers(app, unavailable=unavailable_errors(settings.database_url))
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(web.router)  # the pages at /admin: files, no permission to name

    async def record(entry: AuditEntry) -> None:
        await app.state.platform.audit.record(entry)

    # Met bottom up: the allow-list first (before routing, before the body is read), then
    # oversize bodies, then no-store on every answer.
    app.add_middleware(BodySizeLimit, body_bytes_max=settings.http.body_bytes_max)
    app.add_middleware(NoStore, cacheable_prefixes=())
    app.add_middleware(HeadLikeGet)
    app.add_middleware(SecurityHeaders, documentation_prefixes=())
    app.add_middleware(AllowList, networks=parse_networks(settings.admin.allow), record=record)
    return app
