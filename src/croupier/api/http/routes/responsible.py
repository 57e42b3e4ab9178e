"""Responsible gambling for the player: limits, reality checks, time-out, self-exclusion
(docs/compliance.md, docs/api.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from croupier.api.http.auth import CurrentPlayer, platform_of
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routes.player_security import client_ip
from croupier.api.http.routing import api_router
from croupier.domain.errors import Unavailable
from croupier.services.compliance.responsible import ResponsibleGambling

__all__ = ["router"]

router = api_router(prefix="/v1", tags=["responsible gambling"])

_Periods = dict[str, int | None]


class LimitsIn(BaseModel):
    """Only what is named changes; ``null`` removes a limit (an increase: it waits too)."""

    model_config = ConfigDict(extra="forbid")
    deposit: _Periods | None = Field(default=None, examples=[{"monthly": 100000}])
    loss: _Periods | None = None
    wager: _Periods | None = None
    session_minutes: int | None = None
    reality_check_minutes: int | None = Field(
        default=None, description="within the jurisdiction's bounds (GET shows them)"
    )


class HoursIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hours: int


class MonthsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    months: int


class ExclusionOut(BaseModel):
    kind: str
    since: datetime
    until: datetime


def _service(request: Request) -> ResponsibleGambling:
    service = platform_of(request).responsible
    if service is None:
        raise Unavailable("responsible gambling is not configured on this server")
    return service


@router.get("/limits", responses=PROBLEMS)
async def get_limits(player: CurrentPlayer, request: Request) -> dict[str, Any]:
    """Every limit in force (``value``; ``null``: none) with any increase waiting
    (``pending`` from ``pending_from``), the session time, the reality-check interval."""
    return await _service(request).limits(player)


@router.put("/limits", responses=PROBLEMS)
async def put_limits(body: LimitsIn, player: CurrentPlayer, request: Request) -> dict[str, Any]:
    """Set limits: a decrease applies at once; an increase (or a removal) after the
    jurisdiction's cooling-off (UKGC: 24 h), shown as ``pending``/``pending_from``."""
    wanted = body.model_dump(exclude_unset=True)
    return await _service(request).set_limits(player, wanted, ip=client_ip(request))


@router.api_route(
    "/limits", methods=["DELETE", "OPTIONS", "PATCH", "POST"], include_in_schema=False
)
async def limits_other_methods() -> None:
    """405 naming both of the path's methods: Starlette's own 405 names only the first
    route's (GET), as GET and PUT are two routes here."""
    raise HTTPException(405, headers={"Allow": "GET, PUT"})


@router.post("/limits/confirm", responses=PROBLEMS)
async def confirm_limits(player: CurrentPlayer, request: Request) -> dict[str, Any]:
    """Where the jurisdiction asks for it (UKGC), confirm increases whose cooling-off is
    over; 409 ``state-conflict`` if none is ready."""
    return await _service(request).confirm_increases(player, ip=client_ip(request))


@router.post("/reality-checks/ack", responses=PROBLEMS)
async def acknowledge_reality_check(player: CurrentPlayer, request: Request) -> dict[str, str]:
    """The player has read the ``reality.check`` notice: play resumes."""
    service = _service(request)
    return await service.acknowledge_reality_check(player, ip=client_ip(request))


@router.post("/time-out", status_code=201, responses=PROBLEMS)
async def time_out(body: HoursIn, player: CurrentPlayer, request: Request) -> ExclusionOut:
    """A break from play for ``hours`` (the jurisdiction's range, e.g. 24 to 1008): every
    session ends at once; logins get 403 ``timed-out`` until it ends; never shortened."""
    exclusion = await _service(request).time_out(player, body.hours, ip=client_ip(request))
    return ExclusionOut(kind=exclusion.kind.value, since=exclusion.since, until=exclusion.until)


@router.post("/self-exclusion", status_code=201, responses=PROBLEMS)
async def self_exclusion(body: MonthsIn, player: CurrentPlayer, request: Request) -> ExclusionOut:
    """Self-exclusion for ``months`` (the jurisdiction's range, e.g. 6 to 60), irreversible
    until it expires: every session ends at once, logins get 403 ``self-excluded``,
    marketing stops. The balance can still be withdrawn (a withdrawal-only login)."""
    exclusion = await _service(request).self_exclude(player, body.months, ip=client_ip(request))
    return ExclusionOut(kind=exclusion.kind.value, since=exclusion.since, until=exclusion.until)
