"""Player segments for staff (docs/engagement.md, "Segments"): counts per segment
(``report.view``) and one player's segments, risk signals and promotion eligibility
(``player.view``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request

from croupier.api.admin.auth import StaffPrincipal, require
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.bootstrap import Platform
from croupier.domain.errors import NotFound, Unavailable
from croupier.domain.staff import Permission
from croupier.personalisation_wiring import Personalisation

__all__ = ["router"]

router = api_router(prefix="/admin/v1", tags=["segments"])

ReportViewer = Annotated[StaffPrincipal, Depends(require(Permission.REPORT_VIEW))]
PlayerViewer = Annotated[StaffPrincipal, Depends(require(Permission.PLAYER_VIEW))]
_ANSWERS: dict[int | str, dict[str, Any]] = {**PROBLEMS, 403: PROBLEMS[401]}


def _platform(request: Request) -> tuple[Platform, Personalisation]:
    platform: Platform = request.app.state.platform
    if platform.personalisation is None:
        raise Unavailable("segments are not configured on this server")
    return platform, platform.personalisation


@router.get("/segments", responses=_ANSWERS)
async def segment_counts(
    request: Request,
    staff: ReportViewer,
    players_max: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
) -> dict[str, Any]:
    """How many players are in each segment now, over up to ``players_max`` players with
    any recorded play or deposit (``truncated`` says when there were more)."""
    _, engagement = _platform(request)
    return await engagement.segments.counts(players_max=players_max)


@router.get("/players/{player_id}/segments", responses=_ANSWERS)
async def player_segments(request: Request, staff: PlayerViewer, player_id: str) -> dict[str, Any]:
    """The player's segments, the risk signals behind ``at-risk``, and whether a promotion
    may reach them (``promotion_eligible``, and why not)."""
    platform, engagement = _platform(request)
    player = await platform.players.get_player(player_id)
    if player is None:
        raise NotFound(f"no player {player_id!r}")
    return (await engagement.segments.of_player(player)).as_json()
