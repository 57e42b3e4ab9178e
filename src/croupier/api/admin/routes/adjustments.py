"""Manual adjustments (``adjustment.request``; deciding: ``adjustment.approve``): a credit or
debit of a player's cash on the ledger with a reason code, four-eyes above
``CROUPIER_ADJUSTMENT_APPROVAL_ABOVE``.

The request's ``Idempotency-Key`` is the adjustment's id: sent again, the same request
returns the stored adjustment and moves nothing more. The answer is ``201`` when the money
moved (``posted``) and ``202`` while it waits for a second member (``pending``). An approval
or rejection sent again by the member who made it answers the decision already taken (a
retry after a lost answer); anyone else gets ``409 state-conflict``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from croupier.api.admin.auth import StaffPrincipal, require
from croupier.api.admin.routes.operations_common import (
    ANSWERS,
    RequestId,
    WhyIn,
    backoffice_of,
    plain,
)
from croupier.api.http.routing import api_router
from croupier.domain.errors import StateConflict
from croupier.domain.staff import Permission
from croupier.services.backoffice import Adjustment, AdjustmentState
from croupier.services.backoffice.staff_actor import same_staff

__all__ = ["router"]

router = api_router(prefix="/admin/v1/adjustments", tags=["adjustments"])

Requester = Annotated[StaffPrincipal, Depends(require(Permission.ADJUSTMENT_REQUEST))]
Approver = Annotated[StaffPrincipal, Depends(require(Permission.ADJUSTMENT_APPROVE))]

_ASKED = {
    **ANSWERS,
    201: {"description": "Posted: the money moved"},
    202: {"description": "Pending: above the four-eyes threshold, nothing moved yet"},
}


class AdjustmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    player_id: str = Field(min_length=1, max_length=128)
    direction: Literal["credit", "debit"] = Field(description="credit: to the player")
    amount_minor: int = Field(gt=0, description="Minor units of the player's currency")
    reason_code: Literal["goodwill", "correction", "chargeback-reversal", "promotion", "other"]
    reason: str = Field(min_length=1, max_length=500, description="The free text")


def _answer(adjustment: Adjustment) -> JSONResponse:
    status = 202 if adjustment.state is AdjustmentState.PENDING else 201
    return JSONResponse(plain(adjustment), status_code=status)


@router.post("", status_code=201, response_class=JSONResponse, responses=_ASKED)
async def request_adjustment(
    request: Request, staff: Requester, body: AdjustmentIn, request_id: RequestId
) -> JSONResponse:
    """Credit or debit a player's cash: posted at once up to the threshold, ``pending``
    (202) above it until a second staff member approves."""
    adjustment = await backoffice_of(request).adjustments.request(
        request_id=request_id,
        player_id=body.player_id,
        direction=body.direction,
        amount_minor=body.amount_minor,
        reason_code=body.reason_code,
        actor=staff.actor,
        source_ip=staff.source_ip,
        reason=body.reason,
    )
    return _answer(adjustment)


@router.get("", responses=ANSWERS)
async def list_adjustments(
    request: Request,
    staff: Requester,
    state: Literal["pending", "approved", "posted", "rejected", "failed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    """Adjustments, newest first (``state=pending``: those waiting for a second member)."""
    found = await backoffice_of(request).adjustments.adjustments(state=state, limit=limit)
    return {"items": [plain(adjustment) for adjustment in found]}


@router.get("/{request_id}", responses=ANSWERS)
async def get_adjustment(request: Request, staff: Requester, request_id: str) -> dict[str, Any]:
    return plain(await backoffice_of(request).adjustments.get(request_id))


@router.post("/{request_id}/approve", responses=ANSWERS)
async def approve_adjustment(
    request: Request, staff: Approver, request_id: str, body: WhyIn
) -> dict[str, Any]:
    """Post a pending adjustment: a second staff member, never the requester (403)."""
    service = backoffice_of(request).adjustments
    try:
        adjustment = await service.approve(
            request_id, actor=staff.actor, source_ip=staff.source_ip, reason=body.reason
        )
    except StateConflict:
        adjustment = _decided_by(staff, await service.get(request_id), "approved")
    return plain(adjustment)


@router.post("/{request_id}/reject", responses=ANSWERS)
async def reject_adjustment(
    request: Request, staff: Approver, request_id: str, body: WhyIn
) -> dict[str, Any]:
    """Refuse a pending adjustment: nothing moves (the requester may withdraw their own)."""
    service = backoffice_of(request).adjustments
    try:
        adjustment = await service.reject(
            request_id, actor=staff.actor, source_ip=staff.source_ip, reason=body.reason
        )
    except StateConflict:
        adjustment = _decided_by(staff, await service.get(request_id), "rejected")
    return plain(adjustment)


def _decided_by(staff: StaffPrincipal, adjustment: Adjustment, decision: str) -> Adjustment:
    """A decision sent again by whoever took it: the decision as it stands; else the
    conflict (someone else decided, or it was decided the other way)."""
    taken = {
        "approved": (AdjustmentState.APPROVED, AdjustmentState.POSTED, AdjustmentState.FAILED),
        "rejected": (AdjustmentState.REJECTED,),
    }[decision]
    by = adjustment.decided_by
    if adjustment.state in taken and by is not None and same_staff(by, staff.actor):
        return adjustment
    raise StateConflict(f"adjustment {adjustment.request_id!r} is already {adjustment.state}")
