"""Leaderboards and slot tournaments in the back office (``promotions.manage``): create,
list and delete leaderboards; create and settle tournaments. Every change is audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Depends, Request, Response

from croupier.api.admin.auth import StaffPrincipal, require
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.bootstrap import Platform
from croupier.domain.errors import Unavailable
from croupier.domain.staff import Permission
from croupier.engagement_wiring import Engagement
from croupier.services.audit import AuditEntry

__all__ = ["router"]

router = api_router(prefix="/admin/v1", tags=["engagement"])

Manager = Annotated[StaffPrincipal, Depends(require(Permission.PROMOTIONS_MANAGE))]
Definition = Annotated[dict[str, Any], Body(description="docs/engagement.md: the keys")]
_ANSWERS: dict[int | str, dict[str, Any]] = {**PROBLEMS, 403: PROBLEMS[401]}


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _engagement(request: Request) -> Engagement:
    found = _platform(request).engagement
    if found is None:
        raise Unavailable("leaderboards are not configured on this server")
    return found


async def _audit(
    request: Request, staff: StaffPrincipal, action: str, subject: str, **after: Any
) -> None:
    await _platform(request).audit.record(
        AuditEntry(
            actor=staff.actor,
            action=action,
            subject=subject,
            source_ip=staff.source_ip,
            after=after or None,
        )
    )


@router.get("/leaderboards", responses=_ANSWERS)
async def leaderboards(request: Request, staff: Manager) -> dict[str, Any]:
    service = _engagement(request).leaderboards
    await service.load()
    items = [
        {**service.definitions[key].as_json(), "shipped": key in service.shipped}
        for key in sorted(service.definitions)
    ]
    return {"items": items}


@router.post("/leaderboards", status_code=201, responses=_ANSWERS)
async def create_leaderboard(request: Request, staff: Manager, body: Definition) -> dict[str, Any]:
    """Create a leaderboard; 422 names what is wrong in the definition, 409 if the id exists."""
    definition = await _engagement(request).leaderboards.create(body, actor=staff.actor)
    await _audit(
        request,
        staff,
        "leaderboard.created",
        f"leaderboard:{definition.id}",
        **definition.as_json(),
    )
    return definition.as_json()


@router.delete("/leaderboards/{board_id}", status_code=204, responses=_ANSWERS)
async def delete_leaderboard(request: Request, staff: Manager, board_id: str) -> Response:
    await _engagement(request).leaderboards.delete(board_id)
    await _audit(request, staff, "leaderboard.deleted", f"leaderboard:{board_id}")
    return Response(status_code=204)


@router.post("/tournaments", status_code=201, responses=_ANSWERS)
async def create_tournament(request: Request, staff: Manager, body: Definition) -> dict[str, Any]:
    definition = await _engagement(request).tournaments.create(body)
    await _audit(
        request, staff, "tournament.created", f"tournament:{definition.id}", **definition.as_json()
    )
    return definition.as_json()


@router.post("/tournaments/{tournament_id}/settle", responses=_ANSWERS)
async def settle_tournament(request: Request, staff: Manager, tournament_id: str) -> dict[str, Any]:
    """Settle an ended tournament now (idempotent: a settled one returns its results)."""
    results = await _engagement(request).tournaments.settle(tournament_id)
    await _audit(request, staff, "tournament.settled", f"tournament:{tournament_id}")
    return results
