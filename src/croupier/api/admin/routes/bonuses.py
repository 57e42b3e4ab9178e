"""Bonus offers in the back office (``promotions.manage``, docs/bonuses.md): define, change
or withdraw an offer (targeted at segments), list them, and grant a no-deposit offer to a
player. Every change is audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Depends, Request

from croupier.api.admin.auth import StaffPrincipal, require
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.bootstrap import Platform
from croupier.domain.bonus import parse_offer
from croupier.domain.errors import InvalidInput, NotFound, Unavailable
from croupier.domain.staff import Permission
from croupier.services.audit import AuditEntry
from croupier.services.bonus import BonusService

__all__ = ["router"]

router = api_router(prefix="/admin/v1", tags=["bonuses"])

Manager = Annotated[StaffPrincipal, Depends(require(Permission.PROMOTIONS_MANAGE))]
Definition = Annotated[dict[str, Any], Body(description="docs/bonuses.md: an offer's keys")]
_ANSWERS: dict[int | str, dict[str, Any]] = {**PROBLEMS, 403: PROBLEMS[401]}


def _platform(request: Request) -> tuple[Platform, BonusService]:
    platform: Platform = request.app.state.platform
    if platform.bonus is None:
        raise Unavailable("bonuses are not configured on this server")
    return platform, platform.bonus.service


async def _audit(request: Request, staff: StaffPrincipal, action: str, subject: str,
                 after: dict[str, Any]) -> None:  # fmt: skip
    platform, _ = _platform(request)
    await platform.audit.record(
        AuditEntry(actor=staff.actor, action=action, subject=subject,
                   source_ip=staff.source_ip, after=after)
    )  # fmt: skip


@router.get("/bonus-offers", responses=_ANSWERS)
async def offers(request: Request, staff: Manager) -> dict[str, Any]:
    _, service = _platform(request)
    return {"items": [offer.as_json() for offer in await service.offers.all()]}


@router.put("/bonus-offers/{offer_id}", responses=_ANSWERS)
async def define_offer(
    request: Request, staff: Manager, offer_id: str, body: Definition
) -> dict[str, Any]:
    """Define or change an offer (``active: false`` withdraws it: no new claims; bonuses
    already granted keep their terms)."""
    _, service = _platform(request)
    offer = parse_offer({**body, "offer_id": offer_id})
    if body.get("offer_id", offer_id) != offer_id:
        raise InvalidInput("offer_id in the body differs from the path")
    await service.offers.define(offer)
    await _audit(request, staff, "bonus.offer.defined", f"bonus-offer:{offer_id}", offer.as_json())
    return offer.as_json()


@router.post("/players/{player_id}/bonuses/{offer_id}", responses=_ANSWERS)
async def grant(request: Request, staff: Manager, player_id: str, offer_id: str) -> dict[str, Any]:
    """Grant a no-deposit offer to a player (refused, 409 ``bonus-not-available``, for a
    player barred from promotions or with a bonus already)."""
    platform, service = _platform(request)
    player = await platform.players.get_player(player_id)
    if player is None:
        raise NotFound(f"no player {player_id!r}")
    answer = await service.grant_by_staff(player, offer_id)
    await _audit(request, staff, "bonus.granted", f"player:{player_id}", {"offer_id": offer_id})
    return answer
