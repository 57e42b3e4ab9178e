"""The player's bonuses (docs/bonuses.md): offers I may claim, my active bonus and its
wagering progress, claiming an offer, and forfeiting a bonus."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Request

from croupier.api.http.auth import CurrentPlayer, platform_of
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.domain.errors import Unavailable
from croupier.services.bonus import BonusService

__all__ = ["router"]

router = api_router(prefix="/v1/bonuses", tags=["bonuses"])

OfferId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$", description="The offer")]


def _service(request: Request) -> BonusService:
    engine = platform_of(request).bonus
    if engine is None:
        raise Unavailable("bonuses are not configured on this server")
    return engine.service


@router.get("", responses=PROBLEMS)
async def bonuses(player: CurrentPlayer, request: Request) -> dict[str, Any]:
    """``offers``: what I may claim now (none while I am self-excluded, timed out,
    restricted, flagged or at risk, while a bonus is active or an opt-in waits, or where my
    jurisdiction forbids it); ``active``: my bonus, its balance and wagering progress;
    ``waiting_for_deposit``: the deposit-match offer my next deposit will complete."""
    return await _service(request).overview(player)


@router.post("/offers/{offer_id}/claim", responses=PROBLEMS)
async def claim(player: CurrentPlayer, request: Request, offer_id: OfferId) -> dict[str, Any]:
    """Claim an offer: a no-deposit bonus is credited now; a deposit match waits for the
    next settled deposit. 409 ``bonus-not-available`` (nothing changes) when it is not
    offered to me now; a second claim of the same offer too."""
    return await _service(request).claim(player, offer_id)


@router.post("/forfeit", responses=PROBLEMS)
async def forfeit(player: CurrentPlayer, request: Request) -> dict[str, Any]:
    """Give up my active bonus (its remaining bonus funds return to the house; my cash is
    untouched), or withdraw an opt-in still waiting for a deposit."""
    return await _service(request).forfeit(player)
