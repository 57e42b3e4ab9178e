"""Staff management: create staff with a role, list them (``staff.manage``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from croupier.api.admin.auth import StaffPrincipal, require, staff_service
from croupier.api.admin.routes.session import StaffOut
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.domain.staff import Permission, Role
from croupier.services.staff.service import STAFF_LISTED_MAX

router = api_router(prefix="/admin/v1", tags=["staff"])

Manager = Annotated[StaffPrincipal, Depends(require(Permission.STAFF_MANAGE))]


class NewStaff(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=64, examples=["grace"])
    password: str = Field(
        max_length=1024, description="The first password; give it to them out of band"
    )
    role: Role


class StaffList(BaseModel):
    items: list[StaffOut]


@router.post("/staff", status_code=201, responses=PROBLEMS)
async def create_staff(body: NewStaff, request: Request, staff: Manager) -> StaffOut:
    """A new staff member with a role; they enrol a TOTP at their first login."""
    member = await staff_service(request).create(
        username=body.username,
        password=body.password,
        role=body.role,
        actor=staff.actor,
        source_ip=staff.source_ip,
    )
    return StaffOut.of(member)


@router.get("/staff", responses=PROBLEMS)
async def list_staff(
    request: Request,
    staff: Manager,
    limit: Annotated[int, Query(ge=1, le=STAFF_LISTED_MAX)] = 100,
) -> StaffList:
    """Every staff member, by username (no secrets)."""
    members = await staff_service(request).list(limit=limit)
    return StaffList(items=[StaffOut.of(member) for member in members])
