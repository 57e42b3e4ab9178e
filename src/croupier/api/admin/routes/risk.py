"""The AML risk queue: flags the rules engine raised (``risk.view``), resolved with a reason
(``risk.resolve``, audited ``aml.flag.resolved``), and the suspicious-activity export
(``risk.view``, audited ``aml.exported``; the same as ``croupier aml export``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from croupier.api.admin.auth import StaffPrincipal, require
from croupier.api.admin.routes.reports import CSV_MEDIA_TYPE
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.bootstrap import Platform
from croupier.domain.errors import InvalidInput
from croupier.domain.staff import Permission
from croupier.services.aml import FlagState, RiskQueue, flags_csv
from croupier.services.audit import AuditEntry

__all__ = ["router"]

router = api_router(prefix="/admin/v1/risk", tags=["risk"])

Viewer = Annotated[StaffPrincipal, Depends(require(Permission.RISK_VIEW))]
Resolver = Annotated[StaffPrincipal, Depends(require(Permission.RISK_RESOLVE))]
_ANSWERS: dict[int | str, dict[str, Any]] = {**PROBLEMS, 403: PROBLEMS[401]}


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500)


def _risk(request: Request) -> RiskQueue:
    platform: Platform = request.app.state.platform
    if platform.kyc_aml is None:
        raise RuntimeError("this platform has no risk queue")
    return platform.kyc_aml.risk


@router.get("/flags", responses=_ANSWERS)
async def flags(
    request: Request,
    staff: Viewer,
    state: Literal["open", "resolved", "all"] = "open",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> dict[str, Any]:
    """Flags oldest first (default: the open ones)."""
    found = await _risk(request).flags(
        state=None if state == "all" else FlagState(state), limit=limit
    )
    return {"state": state, "items": [flag.as_json() for flag in found]}


@router.post("/flags/{flag_id}/resolve", responses=_ANSWERS)
async def resolve(
    request: Request, staff: Resolver, flag_id: str, body: ResolveIn
) -> dict[str, Any]:
    """Close an open flag with the reviewer's reason (409 if already resolved)."""
    flag = await _risk(request).resolve(
        flag_id, actor=staff.actor, source_ip=staff.source_ip, reason=body.reason
    )
    return flag.as_json()


def _instant_ms(text: str, name: str) -> int:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name} must be an ISO 8601 date or time") from None
    if moment.tzinfo is None:
        raise InvalidInput(f"{name} needs a time zone (e.g. 2026-12-01T00:00:00Z) or a day")
    return int(moment.timestamp() * 1000)


@router.get("/export", response_class=Response, responses=_ANSWERS)
async def export(
    request: Request,
    staff: Viewer,
    first: Annotated[str, Query(alias="from", max_length=40)],
    last: Annotated[str, Query(alias="to", max_length=40)],
    format_asked: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> Response:
    """Every flag raised in ``[from, to)`` (ISO 8601 with a zone), for a SAR."""
    from_ms, to_ms = _instant_ms(first, "from"), _instant_ms(last, "to")
    found = await _risk(request).export(from_ms, to_ms)
    await request.app.state.platform.audit.record(
        AuditEntry(
            actor=staff.actor,
            action="aml.exported",
            subject="risk:flags",
            source_ip=staff.source_ip,
            after={"from_ms": from_ms, "to_ms": to_ms, "flags": len(found)},
        )
    )
    if format_asked == "csv":
        return Response(flags_csv(found), media_type=CSV_MEDIA_TYPE)
    return JSONResponse({"from_ms": from_ms, "to_ms": to_ms, "flags": [f.as_json() for f in found]})
