"""Progressive jackpot pools: what each is worth now."""

from __future__ import annotations

from fastapi import Request
from pydantic import BaseModel, Field

from croupier.api.http.auth import platform_of
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router

router = api_router(prefix="/v1", tags=["games"])


class PoolOut(BaseModel):
    game_id: str
    currency: str
    amount: int = Field(description="The pool now, minor units: a hit pays all of it")


class PoolsOut(BaseModel):
    items: list[PoolOut]


@router.get("/jackpots", responses=PROBLEMS)
async def jackpots(request: Request) -> PoolsOut:
    """Current value of every progressive jackpot pool (public)."""
    pools = await platform_of(request).rounds.jackpots.current()
    return PoolsOut(items=[PoolOut.model_validate(pool) for pool in pools])
