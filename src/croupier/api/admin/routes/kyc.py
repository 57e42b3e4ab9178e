"""The KYC queue (``kyc.review``): submissions the provider left ``pending`` (or any state),
each with its document unsealed for the reviewer, and the manual decision with a reason.
Showing documents is personal data leaving the vault: every listing and every view is
recorded (``kyc.viewed``); every decision too (``kyc.verified`` / ``kyc.rejected``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from croupier.api.admin.auth import StaffPrincipal, require
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.bootstrap import Platform
from croupier.domain.compliance.kyc import KycState
from croupier.domain.staff import Permission
from croupier.services.audit import AuditEntry
from croupier.services.kyc import KycService

__all__ = ["router"]

router = api_router(prefix="/admin/v1/kyc", tags=["kyc"])

Reviewer = Annotated[StaffPrincipal, Depends(require(Permission.KYC_REVIEW))]
PlayerId = Annotated[str, Query(min_length=1, max_length=64)]
_ANSWERS: dict[int | str, dict[str, Any]] = {**PROBLEMS, 403: PROBLEMS[401]}


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["verified", "rejected"]
    reason: str = Field(min_length=1, max_length=500)


def _kyc(request: Request) -> KycService:
    platform: Platform = request.app.state.platform
    if platform.kyc_aml is None:
        raise RuntimeError("this platform has no KYC service")
    return platform.kyc_aml.kyc


async def _viewed(request: Request, staff: StaffPrincipal, subject: str, shown: int) -> None:
    await request.app.state.platform.audit.record(
        AuditEntry(
            actor=staff.actor,
            action="kyc.viewed",
            subject=subject,
            source_ip=staff.source_ip,
            after={"documents": shown},
        )
    )


@router.get("", responses=_ANSWERS)
async def queue(
    request: Request,
    staff: Reviewer,
    state: Literal["pending", "verified", "rejected"] = "pending",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> dict[str, Any]:
    """Submissions in ``state`` (default ``pending``: waiting for a person), oldest first."""
    views = await _kyc(request).queue(KycState(state), limit=limit)
    await _viewed(request, staff, f"kyc:{state}", len(views))
    return {"state": state, "items": [view.for_staff() for view in views]}


@router.get("/{player_id}", responses=_ANSWERS)
async def one(request: Request, staff: Reviewer, player_id: str) -> dict[str, Any]:
    view = await _kyc(request).status(player_id)
    await _viewed(request, staff, f"player:{player_id}", 0 if view.document is None else 1)
    return view.for_staff()


@router.post("/{player_id}/decision", responses=_ANSWERS)
async def decide(
    request: Request, staff: Reviewer, player_id: str, body: DecisionIn
) -> dict[str, Any]:
    """Verify or reject a pending submission, or reject a verified one (409 otherwise)."""
    view = await _kyc(request).decide(
        player_id,
        KycState(body.decision),
        actor=staff.actor,
        source_ip=staff.source_ip,
        reason=body.reason,
    )
    return view.for_staff()
