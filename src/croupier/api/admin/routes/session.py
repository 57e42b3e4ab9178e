"""Staff login, logout, who am I, and TOTP enrolment."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from croupier.api.admin.auth import CurrentSession, client_ip, staff_service
from croupier.api.http.auth import bearer_token
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.domain.staff import ROLE_PERMISSIONS
from croupier.services.staff import SessionStage, StaffMember

router = api_router(prefix="/admin/v1", tags=["staff session"])


class StaffCredentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=64, examples=["ada"])
    password: str = Field(max_length=1024)
    code: str | None = Field(
        default=None,
        max_length=64,
        description="The current TOTP code, or one recovery code (not needed while enrolling)",
    )


class StaffOut(BaseModel):
    staff_id: str
    username: str
    role: str
    status: str
    created_at: datetime

    @classmethod
    def of(cls, member: StaffMember) -> StaffOut:
        return cls(
            staff_id=member.staff_id,
            username=member.username,
            role=str(member.role),
            status=str(member.status),
            created_at=member.created_at,
        )


class StaffSessionOut(BaseModel):
    token: str
    expires_at: datetime
    stage: str = Field(description="enrolment: enrol a TOTP next (POST /admin/v1/mfa/enrol)")
    staff: StaffOut


class Me(BaseModel):
    staff: StaffOut
    stage: str
    permissions: list[str]


class EnrolmentOut(BaseModel):
    otpauth_uri: str = Field(description="For an authenticator app; shown once")
    qr_svg: str = Field(description="The URI as a QR code, inline SVG")
    qr_png_data_uri: str = Field(description="The same QR code as a PNG data: URI")
    recovery_codes: list[str] = Field(description="One-time codes; shown once, keep them safe")


class Confirmation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=16, examples=["123456"])


@router.post("/login", status_code=201, responses=PROBLEMS)
async def login(body: StaffCredentials, request: Request) -> StaffSessionOut:
    """Log in with a password and a TOTP code (or a recovery code). Before enrolment, the
    password alone gives an ``enrolment`` session, good for enrolling a TOTP only."""
    done = await staff_service(request).login(
        username=body.username,
        password=body.password,
        code=body.code,
        ip=client_ip(request) or "unknown",
    )
    return StaffSessionOut(
        token=done.token,
        expires_at=done.expires_at,
        stage=str(done.stage),
        staff=StaffOut.of(done.member),
    )


@router.post("/logout", status_code=204, responses=PROBLEMS)
async def logout(
    request: Request, found: CurrentSession, token: Annotated[str, Depends(bearer_token)]
) -> Response:
    """Revoke this session."""
    await staff_service(request).logout(token, source_ip=client_ip(request))
    return Response(status_code=204)


@router.get("/me", responses=PROBLEMS)
async def me(found: CurrentSession) -> Me:
    """Who this session is, its stage and what the role allows."""
    member, session = found
    allowed = (
        sorted(map(str, ROLE_PERMISSIONS[member.role]))
        if session.stage is SessionStage.FULL
        else []
    )
    return Me(staff=StaffOut.of(member), stage=str(session.stage), permissions=allowed)


@router.post("/mfa/enrol", status_code=201, responses=PROBLEMS)
async def enrol(request: Request, found: CurrentSession) -> EnrolmentOut:
    """A new TOTP secret (as a URI and a QR code) and ten recovery codes, shown this once.
    Calling again replaces them; confirm with a first code to finish."""
    member, _ = found
    enrolment = await staff_service(request).enrol(member.staff_id, source_ip=client_ip(request))
    return EnrolmentOut(
        otpauth_uri=enrolment.otpauth_uri,
        qr_svg=enrolment.qr_svg,
        qr_png_data_uri=enrolment.qr_png_data_uri,
        recovery_codes=list(enrolment.recovery_codes),
    )


@router.post("/mfa/confirm", responses=PROBLEMS)
async def confirm(
    body: Confirmation,
    request: Request,
    found: CurrentSession,
    token: Annotated[str, Depends(bearer_token)],
) -> Me:
    """Finish enrolment with the authenticator's current code: the account becomes active
    and this session a full one."""
    member, _ = found
    updated = await staff_service(request).confirm(
        member.staff_id, body.code, token=token, source_ip=client_ip(request)
    )
    return Me(
        staff=StaffOut.of(updated),
        stage=str(SessionStage.FULL),
        permissions=sorted(map(str, ROLE_PERMISSIONS[updated.role])),
    )
