"""Game recommendations for the player (docs/engagement.md, "Recommendations")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request

from croupier.api.http.auth import CurrentPlayer, platform_of
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.domain.errors import Unavailable
from croupier.services.engagement.recommendations import LIMIT_MAX

__all__ = ["router"]

router = api_router(prefix="/v1", tags=["recommendations"])


@router.get("/recommendations", responses=PROBLEMS)
async def recommendations(
    player: CurrentPlayer,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=LIMIT_MAX, description="How many games at most")] = 5,
) -> dict[str, Any]:
    """Games the player may like and has not played much, best first, among those their
    jurisdiction offers; the most popular ones for a new player. ``games`` is empty, with
    a ``reason``, for a player who is self-excluded, timed out, restricted, flagged or at
    risk (``self-excluded``, ``timed-out``, ``account-restricted``, ``aml-flagged``,
    ``at-risk``), and before the first model is trained (``warming-up``)."""
    engagement = platform_of(request).personalisation
    if engagement is None:
        raise Unavailable("recommendations are not configured on this server")
    found = await engagement.recommender.for_player(player, limit)
    return engagement.recommender.as_json(player, found)
