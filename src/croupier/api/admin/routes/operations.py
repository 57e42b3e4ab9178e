"""Rounds, jackpots and games: force-settle a stuck round (``round.settle``), see the jackpot
pools (``jackpot.view``) and adjust one (``jackpot.adjust``, idempotent by its
``Idempotency-Key``), and switch games off and on (``game.control``). Each change is audited
by its service, with the reason given."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from croupier.api.admin.auth import StaffPrincipal, require
from croupier.api.admin.routes.operations_common import (
    ANSWERS,
    RequestId,
    WhyIn,
    backoffice_of,
    plain,
    transfer_out,
)
from croupier.api.http.routing import api_router
from croupier.domain.staff import Permission
from croupier.services.backoffice.jackpots import POOL_ADJUSTMENT_MINOR_MAX

__all__ = ["router"]

router = api_router(prefix="/admin/v1", tags=["operations"])

Settler = Annotated[StaffPrincipal, Depends(require(Permission.ROUND_SETTLE))]
PoolViewer = Annotated[StaffPrincipal, Depends(require(Permission.JACKPOT_VIEW))]
PoolAdjuster = Annotated[StaffPrincipal, Depends(require(Permission.JACKPOT_ADJUST))]
Switcher = Annotated[StaffPrincipal, Depends(require(Permission.GAME_CONTROL))]


class PoolAdjustmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    game_id: str = Field(min_length=1, max_length=64, examples=["lotus-20"])
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])
    delta_minor: int = Field(
        ge=-POOL_ADJUSTMENT_MINOR_MAX,
        le=POOL_ADJUSTMENT_MINOR_MAX,
        description="Into the pool from the house (positive) or back to the house (negative)",
    )
    reason: str = Field(min_length=1, max_length=500)


@router.post("/rounds/{round_id}/settle", responses=ANSWERS)
async def force_settle(
    request: Request, staff: Settler, round_id: str, body: WhyIn
) -> dict[str, Any]:
    """End a stuck round through recovery (a decided one from its record, an open table
    round with the table's own actions); its recall afterwards. Settling a settled round
    changes nothing."""
    return await backoffice_of(request).rounds.force_settle(
        round_id, actor=staff.actor, source_ip=staff.source_ip, reason=body.reason
    )


@router.get("/jackpots", responses=ANSWERS)
async def jackpots(request: Request, staff: PoolViewer) -> dict[str, Any]:
    """Every pool and its value now."""
    return {"items": await backoffice_of(request).jackpots.current()}


@router.post("/jackpots/adjust", status_code=201, responses=ANSWERS)
async def adjust_jackpot(
    request: Request, staff: PoolAdjuster, body: PoolAdjustmentIn, request_id: RequestId
) -> dict[str, Any]:
    """Move money between the house and a pool in one ledger transfer,
    ``jackpot-adjust:<Idempotency-Key>``; a pool never goes below zero (409)."""
    transfer = await backoffice_of(request).jackpots.adjust(
        request_id=request_id,
        game_id=body.game_id,
        currency=body.currency,
        delta_minor=body.delta_minor,
        actor=staff.actor,
        source_ip=staff.source_ip,
        reason=body.reason,
    )
    return transfer_out(transfer)


@router.get("/games", responses=ANSWERS)
async def games(request: Request, staff: Switcher) -> dict[str, Any]:
    """Every game played here with its switch (enabled unless staff disabled it)."""
    return {"items": [plain(switch) for switch in await backoffice_of(request).games.games()]}


@router.post("/games/{game_id}/disable", responses=ANSWERS)
async def disable_game(
    request: Request, staff: Switcher, game_id: str, body: WhyIn
) -> dict[str, Any]:
    """No new rounds of the game (409 ``game-disabled``); open rounds finish."""
    switch = await backoffice_of(request).games.disable(
        game_id, actor=staff.actor, source_ip=staff.source_ip, reason=body.reason
    )
    return plain(switch)


@router.post("/games/{game_id}/enable", responses=ANSWERS)
async def enable_game(
    request: Request, staff: Switcher, game_id: str, body: WhyIn
) -> dict[str, Any]:
    return plain(
        await backoffice_of(request).games.enable(
            game_id, actor=staff.actor, source_ip=staff.source_ip, reason=body.reason
        )
    )
