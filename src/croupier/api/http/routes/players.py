"""Registration and login sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from croupier.api.http.auth import bearer_token, platform_of
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routes.player_security import SECURITY_PROBLEMS, client_ip
from croupier.api.http.routing import api_router
from croupier.domain.accounts import Player
from croupier.domain.accounts import Registration as RegistrationChecked
from croupier.domain.errors import SelfExcluded, TimedOut

router = api_router(prefix="/v1", tags=["players"])


class Registration(BaseModel):
    """What the schema cannot say is checked too: a real calendar date at least 18 years ago,
    an assigned country code, a known currency, and the password policy (docs/accounts.md):
    no control characters, not only spaces, not common, not the site's name or the email."""

    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=254, examples=["ada@example.com"])
    password: str = Field(min_length=12, max_length=256)
    date_of_birth: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["1990-04-01"])
    country: str = Field(
        pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$",
        examples=["MT", "US-NJ"],
        description="ISO 3166-1 alpha-2; in the US and Canada with the state or province "
        "(US-NJ), or give that as region",
    )
    region: str | None = Field(
        default=None,
        pattern=r"^[A-Z0-9]{1,3}$",
        examples=["NJ"],
        description="The state or province (ISO 3166-2 after the hyphen): required in the US "
        "and Canada, refused elsewhere",
    )
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"], description="ISO 4217")


class Registered(BaseModel):
    player_id: str


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)
    totp: str | None = Field(
        default=None,
        max_length=32,
        description="With TOTP on: a current code (or a recovery code); without it a right "
        "password gets 403 totp-required",
    )
    withdraw_only: bool = Field(
        default=False,
        description="A self-excluded or timed-out player's login: a session for the balance "
        "and withdrawals only (play and deposits are refused while the exclusion runs)",
    )


class SessionOut(BaseModel):
    token: str
    expires_at: datetime
    previous_login_at: datetime | None


@router.post("/players", status_code=201, responses=PROBLEMS)
async def register(body: Registration, request: Request) -> Registered:
    """Open a player account (and its cash and bonus ledger accounts). The address must be
    in the licensed place registered (451 geo-blocked), and the jurisdiction's minimum age
    and currencies apply (422 invalid-registration)."""
    platform = platform_of(request)
    ip = request.client.host if request.client else "unknown"
    gate = platform.compliance

    async def admit(registration: RegistrationChecked) -> None:
        if gate is not None:
            await gate.admit_registration(registration, ip)

    try:
        player = await platform.accounts.register(
            email=body.email,
            password=body.password,
            date_of_birth=body.date_of_birth,
            country=body.country,
            currency=body.currency,
            ip=ip,
            region=body.region,
            admit=admit,
        )
    except (SelfExcluded, TimedOut) as refused:  # on the national register
        if gate is not None:
            gate.blocked.count("registration", refused.code, body.country)
        raise
    return Registered(player_id=player.player_id)


@router.post("/sessions", status_code=201, responses=SECURITY_PROBLEMS)
async def login(body: Credentials, request: Request) -> SessionOut:
    """Log in: an opaque token, its expiry, and when this player last logged in. A login
    from a device (User-Agent and address) not seen before is mailed to the player."""
    ip = client_ip(request)
    gate = platform_of(request).compliance
    verified: list[Player] = []  # the player, once the password is right

    async def admit(player: Player) -> None:
        verified.append(player)
        if gate is not None:
            await gate.admit_login(player, ip)

    try:
        session = await platform_of(request).accounts.login(
            email=body.email,
            password=body.password,
            ip=ip,
            totp=body.totp,
            user_agent=request.headers.get("user-agent", ""),
            admit=admit,
            withdraw_only=body.withdraw_only,
        )
    except (SelfExcluded, TimedOut) as refused:  # audited by the account service; counted here
        if gate is not None:
            country = verified[0].country if verified else ""
            gate.blocked.count("login", refused.code, country)
        raise
    return SessionOut(
        token=session.token,
        expires_at=session.expires_at,
        previous_login_at=session.previous_login_at,
    )


@router.delete("/sessions/current", status_code=204, responses=PROBLEMS)
async def logout(request: Request, token: Annotated[str, Depends(bearer_token)]) -> Response:
    """Revoke the session whose token authenticates this request."""
    accounts = platform_of(request).accounts
    await accounts.authenticate(token)
    await accounts.logout(token, ip=client_ip(request))
    return Response(status_code=204)
