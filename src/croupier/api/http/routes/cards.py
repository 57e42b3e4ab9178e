"""The player's stored cards (docs/api.md, "Cards"): add one, list them, delete one.

``POST /v1/cards`` takes the number, expiry and holder's name and answers a token with the
number masked (first 6, last 4); payments name the card by that token. The number is never
answered, logged or echoed in an error (a refusal's body names the field, never its value).
A body with a security code (CVV, CVC …) is refused: Croupier never takes one (PCI DSS
3.3.1.2). ``DELETE /v1/cards/{token}`` crypto-shreds the card (docs/security.md).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from croupier.api.http.auth import CurrentPlayer, platform_of
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routes.player_security import client_ip
from croupier.api.http.routing import StrictJsonRoute
from croupier.domain.errors import CardInvalid, Unavailable
from croupier.services.cards import CardVault

__all__ = ["SECURITY_CODE_FIELDS", "router"]

#: Names a client may give a card's security code under; any of them refuses the request.
SECURITY_CODE_FIELDS = frozenset(
    {"cvv", "cvv2", "cvc", "cvc2", "cid", "csc", "cvn", "securitycode", "cardsecuritycode"}
)
_ALLOW = {"/v1/cards": "GET, POST", "/v1/cards/{token}": "DELETE"}


class _CardsRoute(StrictJsonRoute):
    """A wrong method is 405 with every method of the path in ``Allow`` (Starlette names
    only the first route's)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods:
            raise HTTPException(status_code=405, headers={"Allow": _ALLOW[self.path]})
        await super().handle(scope, receive, send)


router = APIRouter(prefix="/v1/cards", tags=["cards"], route_class=_CardsRoute)


class CardIn(BaseModel):
    """No security code: a body with one (``cvv``, ``cvc`` …) is refused 422 ``card-invalid``."""

    model_config = ConfigDict(extra="forbid")
    number: str = Field(
        max_length=32,
        description="12 to 19 digits (spaces or dashes between groups); Luhn-checked",
        examples=["4000 0082 6000 0000"],
    )
    exp_month: int = Field(strict=True, description="1 to 12", examples=[12])
    exp_year: int = Field(strict=True, description="four digits; not past", examples=[2031])
    holder_name: str = Field(max_length=200, description="as printed on the card")


class CardOut(BaseModel):
    token: str = Field(description="card_…: how payments name this card")
    masked: str = Field(description="first 6 and last 4 digits")
    brand: str
    country: str = Field(description="ISO 3166-1 alpha-2 of the issuing bank (BIN country)")
    expiry: str = Field(description="MM/YYYY")
    exp_month: int
    exp_year: int
    created_at_ms: int


class CardsOut(BaseModel):
    cards: list[CardOut]


def _vault(request: Request) -> CardVault:
    vault = platform_of(request).cards
    if vault is None:  # open_platform always sets it; a hand-made Platform may not
        raise Unavailable("the card vault is not configured on this server")
    return vault


async def refuse_security_code(request: Request) -> None:
    """Runs after the body is read and before it is validated: a security code in it is
    refused by name before anything else looks at the body (and never stored or echoed)."""
    try:
        body: Any = await request.json()
    except ValueError:  # malformed: the body's own validation answers it
        return
    if isinstance(body, dict):
        named = {
            str(key).lower().replace("_", "").replace("-", "") for key in body
        } & SECURITY_CODE_FIELDS
        if named:
            raise CardInvalid(
                "never send a card's security code: Croupier does not take it (PCI DSS "
                "3.3.1.2); send number, exp_month, exp_year and holder_name"
            )


@router.post("", status_code=201, responses=PROBLEMS, dependencies=[Depends(refuse_security_code)])
async def add_card(body: CardIn, player: CurrentPlayer, request: Request) -> CardOut:
    """Store a card (422 ``card-invalid``, ``card-bin-unknown``; 451 ``geo-blocked`` when
    issued outside the player's registered country; 409 ``card-limit``)."""
    card = await _vault(request).add(
        player,
        body.number,
        body.exp_month,
        body.exp_year,
        body.holder_name,
        ip=client_ip(request),
    )
    return CardOut.model_validate(card.for_player())


@router.get("", responses=PROBLEMS)
async def list_cards(player: CurrentPlayer, request: Request) -> CardsOut:
    """The player's cards, oldest first."""
    cards = await _vault(request).list(player.player_id)
    return CardsOut(cards=[CardOut.model_validate(card.for_player()) for card in cards])


@router.delete("/{token}", status_code=204, responses=PROBLEMS)
async def delete_card(token: str, player: CurrentPlayer, request: Request) -> Response:
    """Delete (crypto-shred) one of the player's cards; 404 ``card-not-found`` otherwise."""
    await _vault(request).delete(player.player_id, token[:64], ip=client_ip(request))
    return Response(status_code=204)
