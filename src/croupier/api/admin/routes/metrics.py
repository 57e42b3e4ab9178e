"""``/metrics`` for Prometheus, on the admin listener only.

Scraped with ``Authorization: Bearer $CROUPIER_METRICS_TOKEN`` (a static token for the
scraper), or by a staff session with ``metrics.view``. The allow-list applies first.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from croupier.api.admin.auth import current_session, require
from croupier.api.http.auth import bearer_token
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.domain.staff import Permission

router = api_router(tags=["operations"])


@router.get("/metrics", summary="Prometheus metrics", response_class=Response, responses=PROBLEMS)
async def metrics(request: Request, token: Annotated[str, Depends(bearer_token)]) -> Response:
    scrape_token = request.app.state.settings.admin.metrics_token
    if scrape_token is None or not hmac.compare_digest(token.encode(), scrape_token.encode()):
        # Not the scraper's token: then it must be a staff session allowed to see metrics.
        found = await current_session(request, token)
        await require(Permission.METRICS_VIEW)(request, found)
    return Response(generate_latest(request.app.state.registry), media_type=CONTENT_TYPE_LATEST)
