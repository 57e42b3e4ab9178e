"""A player's account security: TOTP, sessions, password change and reset by email."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from croupier.api.http.auth import CurrentPlayer, bearer_token, platform_of
from croupier.api.http.problems import PROBLEM_JSON, PROBLEMS
from croupier.api.http.routing import api_router
from croupier.services.accounts import token_sha256

__all__ = ["SECURITY_PROBLEMS", "client_ip", "router"]

router = api_router(prefix="/v1", tags=["account security"])

#: :data:`PROBLEMS` and 403 (a second factor is required, or wrong).
SECURITY_PROBLEMS: dict[int | str, dict[str, object]] = {
    **PROBLEMS,
    403: {
        "description": "Forbidden (totp-required, totp-invalid, totp-enrolment-required, …)",
        "content": {PROBLEM_JSON: PROBLEMS[401]["content"][PROBLEM_JSON]},  # type: ignore[index]
    },
}

Token = Annotated[str, Depends(bearer_token)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class TotpEnrolmentOut(BaseModel):
    secret: str = Field(description="Base32, for apps that cannot scan the QR code")
    otpauth_uri: str
    qr_svg: str = Field(description="The otpauth URI as a QR code: an SVG data URI")
    recovery_codes: list[str] = Field(description="Each good once; shown only now")


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=6, max_length=32, description="A TOTP or recovery code")


class SessionItem(BaseModel):
    id: str
    device: str = Field(description="The User-Agent it was opened with")
    ip: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    current: bool


class SessionsOut(BaseModel):
    items: list[SessionItem]


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(max_length=256)
    new_password: str = Field(min_length=12, max_length=256)


class ResetRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=254)


class ResetRequestOut(BaseModel):
    status: str


class ResetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(max_length=64)
    new_password: str = Field(min_length=12, max_length=256)


@router.post("/players/me/totp", status_code=201, responses=SECURITY_PROBLEMS)
async def enrol_totp(player: CurrentPlayer, request: Request) -> TotpEnrolmentOut:
    """Start TOTP enrolment: scan the QR code, then confirm with a first code. Asked for
    nothing until confirmed; 409 when TOTP is on already."""
    enrolment = await platform_of(request).accounts.totp.enrol(player, ip=client_ip(request))
    return TotpEnrolmentOut(
        secret=enrolment.secret,
        otpauth_uri=enrolment.otpauth_uri,
        qr_svg=enrolment.qr_svg_data_uri,
        recovery_codes=list(enrolment.recovery_codes),
    )


@router.post("/players/me/totp/confirm", status_code=204, responses=SECURITY_PROBLEMS)
async def confirm_totp(body: CodeIn, player: CurrentPlayer, request: Request) -> Response:
    """Turn TOTP on with a first code: from now on logins and withdrawals ask for one."""
    await platform_of(request).accounts.totp.confirm(player, body.code, ip=client_ip(request))
    return Response(status_code=204)


@router.post("/players/me/totp/disable", status_code=204, responses=SECURITY_PROBLEMS)
async def disable_totp(body: CodeIn, player: CurrentPlayer, request: Request) -> Response:
    """Turn TOTP off with a current code (or a recovery code)."""
    await platform_of(request).accounts.totp.disable(player, body.code, ip=client_ip(request))
    return Response(status_code=204)


@router.get("/players/me/sessions", responses=PROBLEMS)
async def list_sessions(player: CurrentPlayer, token: Token, request: Request) -> SessionsOut:
    """The player's live sessions, newest first; ``current`` marks this request's."""
    own = await platform_of(request).accounts.sessions.own(player, token_sha256(token))
    return SessionsOut(
        items=[
            SessionItem(
                id=item.view.session_id,
                device=item.view.user_agent,
                ip=item.view.ip,
                created_at=item.view.created_at,
                last_seen_at=item.view.last_seen_at,
                expires_at=item.view.expires_at,
                current=item.current,
            )
            for item in own
        ]
    )


@router.delete("/players/me/sessions/{session_id}", status_code=204, responses=PROBLEMS)
async def revoke_session(session_id: str, player: CurrentPlayer, request: Request) -> Response:
    """End one of the player's sessions (its WebSockets close at once); 404 for an id that is
    not one of the player's live sessions."""
    if len(session_id) > 64:
        session_id = ""
    guard = platform_of(request).accounts.sessions
    await guard.revoke_one(player, session_id, ip=client_ip(request))
    return Response(status_code=204)


@router.post("/players/me/password", status_code=204, responses=PROBLEMS)
async def change_password(
    body: PasswordChangeIn, player: CurrentPlayer, token: Token, request: Request
) -> Response:
    """Change the password (the current one is asked again); every other session ends."""
    await platform_of(request).accounts.recovery.change(
        player,
        token_sha256(token),
        body.current_password,
        body.new_password,
        ip=client_ip(request),
    )
    return Response(status_code=204)


@router.post("/password-resets", status_code=202, responses=PROBLEMS)
async def request_reset(body: ResetRequestIn, request: Request) -> ResetRequestOut:
    """Mail a reset token if the email is registered. The answer, and its timing, are the
    same either way."""
    await platform_of(request).accounts.recovery.request_reset(body.email, ip=client_ip(request))
    return ResetRequestOut(status="if the email is registered, a reset token is on its way")


@router.post("/password-resets/confirm", status_code=204, responses=PROBLEMS)
async def reset_password(body: ResetIn, request: Request) -> Response:
    """Set a new password with a mailed token (once, before it expires); every session of
    the player ends. 422 ``invalid-reset-token`` for a used, expired or unknown token."""
    await platform_of(request).accounts.recovery.reset(
        body.token, body.new_password, ip=client_ip(request)
    )
    return Response(status_code=204)
