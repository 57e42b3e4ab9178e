"""Player search and view (``player.view``; PII in clear needs ``player.pii.view`` too), the
player's transactions and rounds, one round's recall, and account control
(``account.control``): freeze, unfreeze, close, flags. Every look and every change is audited
by the services (``services/backoffice``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from croupier.api.admin.auth import StaffPrincipal, require
from croupier.api.admin.routes.operations_common import (
    ANSWERS,
    WhyIn,
    backoffice_of,
    check_permission,
)
from croupier.api.http.routing import api_router
from croupier.domain.accounts import Player
from croupier.domain.staff import Permission
from croupier.services.backoffice import FLAGS, PlayerControl
from croupier.services.backoffice.account_control import control_view

__all__ = ["router"]

router = api_router(prefix="/admin/v1", tags=["players"])

Viewer = Annotated[StaffPrincipal, Depends(require(Permission.PLAYER_VIEW))]
Controller = Annotated[StaffPrincipal, Depends(require(Permission.ACCOUNT_CONTROL))]
ExclusionsViewer = Annotated[StaffPrincipal, Depends(require(Permission.EXCLUSIONS_VIEW))]
Cursor = Annotated[int | None, Query(ge=0, le=2**63 - 1, description="The next page's cursor")]


class FlagsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    flags: list[Literal["withdrawal-review", "aml-watch", "vip"]] = Field(
        max_length=len(FLAGS), description="The account's flags, replacing the old ones"
    )
    reason: str = Field(min_length=1, max_length=500)


def _found(player: Player) -> dict[str, Any]:
    """A search hit: enough to pick the player, no PII."""
    return {
        "player_id": player.player_id,
        "country": player.country,
        "currency": player.currency,
        "created_at": player.created_at.isoformat(),
    }


def _control(control: PlayerControl) -> dict[str, Any]:
    return {"player_id": control.player_id, **control_view(control), "reason": control.reason}


@router.get("/players", responses=ANSWERS)
async def search_players(
    request: Request,
    staff: Viewer,
    q: Annotated[str, Query(min_length=1, max_length=254, description="A player id or email")],
) -> dict[str, Any]:
    """The player whose id or email is ``q`` (``items`` holds one or none)."""
    found = await backoffice_of(request).players.find(
        q, actor=staff.actor, source_ip=staff.source_ip
    )
    return {"items": [_found(player) for player in found]}


@router.get("/exclusions", responses=ANSWERS)
async def list_exclusions(
    request: Request,
    staff: ExclusionsViewer,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[
        str | None, Query(max_length=64, description="The next page's cursor")
    ] = None,
) -> dict[str, Any]:
    """The players whose time-out or self-exclusion runs now (``kind``, ``since``,
    ``until``), by player id; ``exclusions.view`` (compliance, admin)."""
    items, next_cursor = await backoffice_of(request).players.excluded(
        limit=limit, cursor=cursor, actor=staff.actor, source_ip=staff.source_ip
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get("/players/{player_id}", responses=ANSWERS)
async def view_player(
    request: Request,
    staff: Viewer,
    player_id: str,
    pii: Annotated[bool, Query(description="Show the email and date of birth in clear")] = False,
) -> dict[str, Any]:
    """Profile, KYC state, wallet, control, limits and recent sessions; the jurisdiction
    profile, the responsible-gambling state (limits with pending increases, time-out and
    self-exclusion, reality-check interval) and the AML flags count. The email and date
    of birth are masked unless ``pii=true``, which needs ``player.pii.view`` (else 403)."""
    if pii:
        await check_permission(request, staff, Permission.PLAYER_PII_VIEW)
    return await backoffice_of(request).players.view(
        player_id, actor=staff.actor, source_ip=staff.source_ip, reveal_pii=pii
    )


@router.get("/players/{player_id}/transactions", responses=ANSWERS)
async def player_transactions(
    request: Request,
    staff: Viewer,
    player_id: str,
    account: Literal["cash", "bonus"] = "cash",
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """The account's ledger transfers, pending ones included, newest first."""
    items, next_cursor = await backoffice_of(request).players.transactions(
        player_id,
        account=account,
        limit=limit,
        cursor=cursor,
        actor=staff.actor,
        source_ip=staff.source_ip,
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get("/players/{player_id}/rounds", responses=ANSWERS)
async def player_rounds(
    request: Request,
    staff: Viewer,
    player_id: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """The player's rounds with their game recall, newest first."""
    items, next_cursor = await backoffice_of(request).players.rounds_of(
        player_id, limit=limit, cursor=cursor, actor=staff.actor, source_ip=staff.source_ip
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get("/rounds/{round_id}", responses=ANSWERS)
async def recall_round(request: Request, staff: Viewer, round_id: str) -> dict[str, Any]:
    """One round's recall (outcome, balances, fairness proof), whoever played it."""
    return await backoffice_of(request).players.round(
        round_id, actor=staff.actor, source_ip=staff.source_ip
    )


@router.post("/players/{player_id}/freeze", responses=ANSWERS)
async def freeze(
    request: Request, staff: Controller, player_id: str, body: WhyIn
) -> dict[str, Any]:
    """Suspend play and payments, keep the balance; every session ends at once, WebSockets
    included."""
    control = await backoffice_of(request).accounts.freeze(
        player_id, actor=staff.actor, source_ip=staff.source_ip, reason=body.reason
    )
    return _control(control)


@router.post("/players/{player_id}/unfreeze", responses=ANSWERS)
async def unfreeze(
    request: Request, staff: Controller, player_id: str, body: WhyIn
) -> dict[str, Any]:
    """Back to active (a closed account stays closed: 409)."""
    control = await backoffice_of(request).accounts.unfreeze(
        player_id, actor=staff.actor, source_ip=staff.source_ip, reason=body.reason
    )
    return _control(control)


@router.post("/players/{player_id}/close", responses=ANSWERS)
async def close(request: Request, staff: Controller, player_id: str, body: WhyIn) -> dict[str, Any]:
    """Close for good: sessions end, play and payments are refused, the balance stays."""
    control = await backoffice_of(request).accounts.close(
        player_id, actor=staff.actor, source_ip=staff.source_ip, reason=body.reason
    )
    return _control(control)


@router.put("/players/{player_id}/flags", responses=ANSWERS)
async def set_flags(
    request: Request, staff: Controller, player_id: str, body: FlagsIn
) -> dict[str, Any]:
    """Replace the account's flags (``withdrawal-review`` holds every withdrawal)."""
    control = await backoffice_of(request).accounts.set_flags(
        player_id, body.flags, actor=staff.actor, source_ip=staff.source_ip, reason=body.reason
    )
    return _control(control)
