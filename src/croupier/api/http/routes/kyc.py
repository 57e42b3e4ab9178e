"""The player's KYC: submit an identity document's metadata, and see where it stands.

``POST /v1/kyc`` sends the document's type, number, issuing country and expiry to the KYC
provider and answers its decision (``verified``, ``rejected``, or ``pending`` while a person
looks); the metadata is stored sealed by the vault. ``GET /v1/kyc`` shows the state
(``none``, ``pending``, ``verified``, ``rejected``, ``expired``) and the document with its
number masked. Where the player's jurisdiction requires it, a deposit or a round before
``verified`` is refused with 403 ``kyc-required`` and a withdrawal waits in review.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from croupier.api.http.auth import CurrentPlayer, platform_of
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import StrictJsonRoute
from croupier.services.kyc import KycService

__all__ = ["router"]


class _OnePathRoute(StrictJsonRoute):
    """``GET`` and ``POST`` share the path: a wrong method is 405 with both in ``Allow``
    (Starlette names only the first route's methods)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods:
            raise HTTPException(status_code=405, headers={"Allow": "GET, POST"})
        await super().handle(scope, receive, send)


router = APIRouter(prefix="/v1/kyc", tags=["kyc"], route_class=_OnePathRoute)


class KycIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["passport", "id-card", "driving-licence"]
    number: str = Field(min_length=4, max_length=32, pattern=r"^[A-Za-z0-9-]+$")
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    expiry: str = Field(description="YYYY-MM-DD; an expired document is refused (422)")


class KycDocumentOut(BaseModel):
    type: str
    number: str = Field(description="Masked: its last four characters")
    country: str
    expiry: str


class KycOut(BaseModel):
    state: Literal["none", "pending", "verified", "rejected", "expired"]
    submitted_at_ms: int | None
    decided_at_ms: int | None
    reason: str
    document: KycDocumentOut | None


def _kyc(request: Request) -> KycService:
    kyc_aml = platform_of(request).kyc_aml
    if kyc_aml is None:  # open_platform always sets it; a hand-made Platform may not
        raise RuntimeError("this platform has no KYC service")
    return kyc_aml.kyc


@router.post("", status_code=201, responses=PROBLEMS)
async def submit(body: KycIn, player: CurrentPlayer, request: Request) -> KycOut:
    """Submit a document (409 while one is pending or the player is verified)."""
    ip = request.client.host if request.client else None
    data: dict[str, Any] = body.model_dump()
    view = await _kyc(request).submit(player.player_id, data, ip=ip)
    return KycOut.model_validate(view.for_player())


@router.get("", responses=PROBLEMS)
async def status(player: CurrentPlayer, request: Request) -> KycOut:
    view = await _kyc(request).status(player.player_id)
    return KycOut.model_validate(view.for_player())
