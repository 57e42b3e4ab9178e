"""The public games catalogue: what can be played, its certified RTP and its stake limits."""

from __future__ import annotations

from typing import Literal

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from croupier.api.http.auth import platform_of
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.domain.errors import UnknownCurrency
from croupier.domain.games.stakes import StakeRange
from croupier.domain.money import Money, currency, format_amount
from croupier.services.catalogue import CatalogueGame

router = api_router(prefix="/v1/games", tags=["games"])

_PERCENT = r"^(100|[0-9]{1,2})\.[0-9]{2}%$"


class StakeLimitsOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    currency: str
    stake_min_minor: int = Field(description="Smallest stake, in minor units of the currency")
    stake_max_minor: int = Field(description="Largest stake, in minor units of the currency")
    stake_min: str | None = Field(
        description="The same as a decimal amount by the currency's exponent, e.g. '0.20' "
        "(EUR), '20' (JPY), '0.020' (KWD)"
    )
    stake_max: str | None = Field(description="The largest stake as a decimal amount")


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
        description="The one currency the game plays in; null when it plays in several (see limits)"
    )
    stake_min_minor: int | None = Field(
        description="Deprecated, see limits: the smallest minimum over every currency "
        "(the stake rtp_min_stake is for)"
    )
    stake_max_minor: int | None = Field(
        description="Deprecated, see limits: the largest maximum over every currency "
        "(the stake rtp is for)"
    )
    limits: list[StakeLimitsOut] = Field(
        description="Stake limits in each currency the game plays in, by currency code, per "
        "round (roulette: per bet); a player whose currency is not listed cannot play "
        "(422 currency-not-offered). Empty: no stake limits (poker)"
    )
    enabled: bool = Field(
        default=True,
        description="false while the operator has the game disabled: new rounds are refused "
        "(409 game-disabled), rounds already open finish",
    )


class GamesOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[GameOut]


def game_json(game: CatalogueGame, *, enabled: bool = True) -> GameOut:
    """The API shape of one catalogue entry (``enabled``: the operator's switch)."""
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
        limits=[_limits_json(code, limits) for code, limits in sorted(game.limits.items())],
        enabled=enabled,
    )


def _limits_json(code: str, limits: StakeRange) -> StakeLimitsOut:
    try:
        unit = currency(code)
    except UnknownCurrency:  # a poker or blackjack table's currency is not checked at start
        low = high = None
    else:
        low, high = (format_amount(Money(v, unit)) for v in (limits.min_minor, limits.max_minor))
    return StakeLimitsOut(
        currency=code,
        stake_min_minor=limits.min_minor,
        stake_max_minor=limits.max_minor,
        stake_min=low,
        stake_max=high,
    )


@router.get("", responses=PROBLEMS)
async def games(request: Request) -> GamesOut:
    """Every game on offer, by id; figures are certified, not computed per request.
    ``enabled`` is read from the back office's switches on every request (one small read),
    so a game staff disable shows as such at once, on every gateway."""
    platform = platform_of(request)
    disabled: set[str] = set()
    if platform.backoffice is not None:
        switches = await platform.backoffice.store.game_switches()
        disabled = {switch.game_id for switch in switches if not switch.enabled}
    return GamesOut(
        items=[
            game_json(game, enabled=game.game_id not in disabled)
            for game in platform.catalogue.games
        ]
    )
