"""The withdrawal review queue (``withdrawal.review``): withdrawals above
``CROUPIER_WITHDRAWAL_REVIEW_ABOVE``, or of a flagged player, reserved on the ledger and
waiting for staff. Approving pays it (the provider, then the reservation posts); declining
voids the reservation and the money returns to the player.

Both are idempotent by the withdrawal: approving again finishes an approval a crash cut off
and never pays twice (the provider deduplicates by the player's key, the ledger by the
transfer ids); declining again finishes a void. An approved withdrawal is never declined
(409): the provider may have paid it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request

from croupier.api.admin.auth import StaffPrincipal, require
from croupier.api.admin.routes.operations_common import (
    ANSWERS,
    WhyIn,
    backoffice_of,
    plain,
    transfer_out,
)
from croupier.api.http.routing import api_router
from croupier.domain.staff import Permission

__all__ = ["router"]

router = api_router(prefix="/admin/v1/withdrawals", tags=["withdrawals"])

Reviewer = Annotated[StaffPrincipal, Depends(require(Permission.WITHDRAWAL_REVIEW))]


@router.get("/queue", responses=ANSWERS)
async def queue(
    request: Request, staff: Reviewer, limit: Annotated[int, Query(ge=1, le=1000)] = 50
) -> dict[str, Any]:
    """Held withdrawals still reserved, oldest first: ``pending``, or ``approved`` (being
    paid, or cut off while it was: approve again to finish)."""
    held = await backoffice_of(request).withdrawals.queue(limit=limit)
    return {"items": [plain(item) for item in held]}


@router.get("/{intent_id}", responses=ANSWERS)
async def review(request: Request, staff: Reviewer, intent_id: str) -> dict[str, Any]:
    """One held withdrawal and its decision (``pending``, ``approved``, ``paid``,
    ``declined``, ``failed``)."""
    return plain(await backoffice_of(request).withdrawals.review(intent_id))


@router.post("/{intent_id}/approve", responses=ANSWERS)
async def approve(request: Request, staff: Reviewer, intent_id: str, body: WhyIn) -> dict[str, Any]:
    """Pay it: ``paid`` with the posting transfer; 402 ``payment-declined`` if the provider
    declines (the reservation voids, the money returns)."""
    reviews = backoffice_of(request).withdrawals
    transfer = await reviews.approve(
        intent_id, actor=staff.actor, source_ip=staff.source_ip, reason=body.reason
    )
    return {**plain(await reviews.review(intent_id)), "transfer": transfer_out(transfer)}


@router.post("/{intent_id}/decline", responses=ANSWERS)
async def decline(request: Request, staff: Reviewer, intent_id: str, body: WhyIn) -> dict[str, Any]:
    """Refuse it: the reservation voids and the money returns to the player's cash. The
    player is told "declined in review"; the reason stays internal."""
    reviews = backoffice_of(request).withdrawals
    transfer = await reviews.decline(
        intent_id, actor=staff.actor, source_ip=staff.source_ip, reason=body.reason
    )
    return {**plain(await reviews.review(intent_id)), "transfer": transfer_out(transfer)}
