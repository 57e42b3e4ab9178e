"""Bearer-token authentication as a FastAPI dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from croupier.bootstrap import Platform
from croupier.domain.accounts import AuthenticationFailed, Player

__all__ = ["CurrentPlayer", "bearer_token", "current_player", "platform_of"]

_bearer = HTTPBearer(auto_error=False, description="The token from POST /v1/sessions")


def platform_of(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationFailed("a bearer token is required")
    return credentials.credentials


async def current_player(request: Request, token: Annotated[str, Depends(bearer_token)]) -> Player:
    return await platform_of(request).accounts.authenticate(token)


CurrentPlayer = Annotated[Player, Depends(current_player)]
