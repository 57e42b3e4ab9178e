"""The public games catalogue: what can be played, its certified RTP and its stake limits."""

from __future__ import annotations

from typing import Literal

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from croupier.api.http.auth import platform_of
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.services.catalogue import CatalogueGame

router = api_router(prefix="/v1/games", tags=["games"])

_PERCENT = r"^(100|[0-9]{1,2})\.[0-9]{2}%$"


class GameOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    kind: str = Field(description="slots, roulette, blackjack or holdem")
    name: str
    version: int
    rtp: str | None = Field(
        pattern=_PERCENT,
        description="Return to player, e.g. '94.81%' (two decimals, rounded half to even); "
        "for slots at the maximum stake; null for poker (players play each other)",
    )
    rtp_min_stake: str | None = Field(
        pattern=_PERCENT, description="Slots: the return at the minimum stake (jackpot included)"
    )
    rtp_basis: Literal["exact", "simulated", "none"] = Field(
        description="exact: enumerated exactly; simulated: blackjack under basic strategy, "
        "from a documented simulation; none: no RTP (poker)"
    )
    house_edge: str | None = Field(
        pattern=_PERCENT, description="Blackjack: the simulated house edge (100% - rtp)"
    )
    currency: str | None = Field(
        description="Currency of the stake limits; null: the player's own currency"
    )
    stake_min_minor: int | None = Field(description="Smallest stake per round, minor units")
    stake_max_minor: int | None = Field(description="Largest stake per round, minor units")


class GamesOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[GameOut]


def game_json(game: CatalogueGame) -> GameOut:
    """The API shape of one catalogue entry."""
    return GameOut(
        id=game.game_id,
        kind=game.kind,
        name=game.name,
        version=game.version,
        rtp=game.rtp,
        rtp_min_stake=game.rtp_min_stake,
        rtp_basis=game.rtp_basis.value,
        house_edge=game.house_edge,
        currency=game.currency,
        stake_min_minor=game.stake_min_minor,
        stake_max_minor=game.stake_max_minor,
    )


@router.get("", responses=PROBLEMS)
async def games(request: Request) -> GamesOut:
    """Every game on offer, by id; figures are certified, not computed per request."""
    return GamesOut(items=[game_json(game) for game in platform_of(request).catalogue.games])
