"""The player's croupier-pf-1 seed pair: see the commitment, choose a client seed, rotate."""

from __future__ import annotations

from typing import Literal

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from croupier.api.http.auth import CurrentPlayer, platform_of
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.domain.fairness import SCHEME
from croupier.domain.seed_pair import Commitment

router = api_router(prefix="/v1/fairness", tags=["fairness"])

_HEX64 = r"^[0-9a-f]{64}$"
#: 1 to 64 printable ASCII characters, 0x21-0x7E (no spaces), as croupier-pf-1 requires.
CLIENT_SEED_PATTERN = r"^[!-~]{1,64}$"


class FairnessOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    server_seed_hash: str = Field(
        pattern=_HEX64, description="SHA-256 (hex) of the secret server seed: the commitment"
    )
    client_seed: str = Field(pattern=CLIENT_SEED_PATTERN)
    nonce: int = Field(ge=0, description="The nonce the next round will use")
    scheme: Literal["croupier-pf-1"]


class ClientSeedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_seed: str = Field(
        min_length=1,
        max_length=64,
        pattern=CLIENT_SEED_PATTERN,
        description="1-64 printable ASCII characters (0x21-0x7E); allowed before the pair's "
        "first round only (409 after: rotate first)",
        examples=["my-lucky-seed"],
    )


class RotationOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    revealed_server_seed: str = Field(
        pattern=_HEX64, description="The retired server seed, now public"
    )
    revealed_server_seed_hash: str = Field(
        pattern=_HEX64, description="Its commitment: SHA-256 of revealed_server_seed"
    )
    server_seed_hash: str = Field(pattern=_HEX64, description="The new pair's commitment")
    client_seed: str = Field(pattern=CLIENT_SEED_PATTERN)
    nonce: int = Field(ge=0, description="The nonce the next round will use (0)")


def _out(commitment: Commitment) -> FairnessOut:
    if commitment.scheme != SCHEME:
        raise RuntimeError(f"unexpected scheme {commitment.scheme!r}")
    return FairnessOut(
        server_seed_hash=commitment.server_seed_hash,
        client_seed=commitment.client_seed,
        nonce=commitment.next_nonce,
        scheme="croupier-pf-1",
    )


@router.get("", responses=PROBLEMS)
async def current(player: CurrentPlayer, request: Request) -> FairnessOut:
    """The active seed pair's commitment (created on the first request)."""
    return _out(await platform_of(request).fairness.current(player))


@router.put("/client-seed", responses=PROBLEMS)
async def set_client_seed(
    body: ClientSeedIn, player: CurrentPlayer, request: Request
) -> FairnessOut:
    """Choose the client seed of the active pair (only before its first round)."""
    fairness = platform_of(request).fairness
    return _out(await fairness.set_client_seed(player, body.client_seed))


@router.post("/rotate", responses=PROBLEMS)
async def rotate(player: CurrentPlayer, request: Request) -> RotationOut:
    """Reveal the server seed of the active pair and commit to a new one (409
    `round-in-progress` while one of the player's rounds is open)."""
    rotation = await platform_of(request).rounds.rotate_seeds(player)
    revealed, current = rotation.revealed.pair, rotation.current.pair
    return RotationOut(
        revealed_server_seed=revealed.server_seed,
        revealed_server_seed_hash=revealed.server_seed_hash,
        server_seed_hash=current.server_seed_hash,
        client_seed=current.client_seed,
        nonce=current.nonce,
    )
