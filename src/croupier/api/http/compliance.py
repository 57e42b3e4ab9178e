"""The compliance gate at the HTTP edge: a dependency that admits the authenticated player
of a deposit or a round from the client's address (451 ``geo-blocked`` otherwise, before
anything changes). The address is the one uvicorn gives: the peer's, or behind a proxy named
in ``CROUPIER_TRUSTED_PROXIES`` the client's from ``X-Forwarded-For``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from croupier.api.http.auth import bearer_token, current_player, platform_of
from croupier.domain.accounts import Player
from croupier.services.accounts import token_sha256

__all__ = ["LocatedPlayer", "client_address", "located_player"]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def located_player(
    request: Request,
    player: Annotated[Player, Depends(current_player)],
    token: Annotated[str, Depends(bearer_token)],
) -> Player:
    """The player, admitted where the request comes from (cached per session and address)."""
    gate = platform_of(request).compliance
    if gate is not None:
        await gate.admit_request(player, token_sha256(token), client_address(request))
    return player


#: The authenticated player of a deposit or a round, where the operator is licensed.
LocatedPlayer = Annotated[Player, Depends(located_player)]
