"""Bearer-token authentication as a FastAPI dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from croupier.bootstrap import Platform
from croupier.domain.accounts import AuthenticationFailed, Player

__all__ = ["CurrentPlayer", "bearer_token", "challenge", "current_player", "platform_of"]

_bearer = HTTPBearer(auto_error=False, description="The token from POST /v1/sessions")


def platform_of(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def bearer_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationFailed("a bearer token is required")
    request.state.bearer_token_given = True  # a 401 from here on means this token is bad
    return credentials.credentials


def challenge(request: Request) -> str:
    """The ``WWW-Authenticate`` of a 401 (RFC 6750 §3): ``error="invalid_token"`` only when
    a bearer token was sent and refused; without one, just the scheme to use."""
    if getattr(request.state, "bearer_token_given", False):
        return 'Bearer error="invalid_token"'
    return "Bearer"


async def current_player(request: Request, token: Annotated[str, Depends(bearer_token)]) -> Player:
    return await platform_of(request).accounts.authenticate(token)


CurrentPlayer = Annotated[Player, Depends(current_player)]
