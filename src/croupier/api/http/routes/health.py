"""Liveness and readiness: what an orchestrator polls (``/metrics`` is on the admin
listener: :mod:`croupier.api.admin.routes.metrics`)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from croupier.api.http.problems import problem_response
from croupier.api.http.routing import api_router
from croupier.bootstrap import Platform

router = api_router(tags=["operations"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Ready to serve: database reachable and ledger writer alive",
    responses={503: {"description": "Not ready", "content": {"application/problem+json": {}}}},
)
async def readyz(request: Request) -> Response:
    platform: Platform = request.app.state.platform
    problems = await platform.readiness_problems()
    if problems:
        return problem_response(503, "not-ready", "Not ready", "; ".join(problems), retry_after_s=1)
    return JSONResponse({"status": "ready"})
