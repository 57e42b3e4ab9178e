"""Game rounds (slots, roulette) and game recall."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Request
from pydantic import BaseModel, Field

from croupier.api.http.auth import CurrentPlayer, platform_of
from croupier.api.http.compliance import LocatedPlayer
from croupier.api.http.paging import PageCursor, PageLimit
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routes.player_security import SECURITY_PROBLEMS
from croupier.api.http.routes.wallet import IdempotencyKey
from croupier.api.http.routing import api_router
from croupier.api.requests import ActionIn, RoundIn

router = api_router(prefix="/v1", tags=["rounds"])

GameId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
RoundId = Annotated[str, Path(pattern=r"^r[0-9a-f]{24}$")]


class FairnessOut(BaseModel):
    server_seed_hash: str
    client_seed: str
    nonce: int
    server_seed: str | None = Field(description="Revealed once the seed pair is rotated")


class RoundOut(BaseModel):
    round_id: str
    game_id: str
    game_version: int
    status: str = Field(description="open or settled")
    currency: str
    stake: int
    win: int | None
    jackpot_contribution: int | None
    jackpot_win: int | None = Field(description="The pool paid on a jackpot hit, minor units")
    choices: Any
    outcome: dict[str, Any] | None
    started_at_ms: int
    ended_at_ms: int | None
    balance_before: int
    balance_after: int | None
    fairness: FairnessOut


class RoundsOut(BaseModel):
    items: list[RoundOut]
    next_cursor: int | None


@router.post("/games/{game_id}/rounds", status_code=201, responses=SECURITY_PROBLEMS)
async def play(
    game_id: GameId,
    body: RoundIn,
    player: LocatedPlayer,
    request: Request,
    idempotency_key: IdempotencyKey,
) -> RoundOut:
    """Play one round: the stake is reserved, the outcome drawn, then settled on the ledger."""
    payload = body.model_dump(exclude_none=True)
    await platform_of(request).accounts.check_can_play(player)
    view = await platform_of(request).rounds.play(player, game_id, idempotency_key, payload)
    request.app.state.rounds_counter.labels(view["game_id"], view["status"]).inc()
    return RoundOut.model_validate(view)


@router.post("/rounds/{round_id}/actions", status_code=201, responses=PROBLEMS)
async def act(
    round_id: RoundId,
    body: ActionIn,
    player: LocatedPlayer,
    request: Request,
    idempotency_key: IdempotencyKey,
) -> RoundOut:
    """Blackjack: one action on an open round; the view shows the outcome so far (the
    dealer's hole card once settled) and ``outcome.legal_actions``."""
    view = await platform_of(request).rounds.act(player, round_id, idempotency_key, body.action)
    request.app.state.rounds_counter.labels(view["game_id"], view["status"]).inc()
    return RoundOut.model_validate(view)


@router.get("/rounds/{round_id}", responses=PROBLEMS)
async def recall(round_id: RoundId, player: CurrentPlayer, request: Request) -> RoundOut:
    """Game recall: one round, with its choices, outcome, money and fairness proof."""
    return RoundOut.model_validate(await platform_of(request).rounds.view(round_id, player))


@router.get("/rounds", responses=PROBLEMS)
async def rounds(
    player: CurrentPlayer,
    request: Request,
    limit: PageLimit = 20,
    cursor: PageCursor = None,
) -> RoundsOut:
    """The player's rounds, newest first."""
    items, next_cursor = await platform_of(request).rounds.history(
        player, limit=limit, cursor=cursor
    )
    return RoundsOut(
        items=[RoundOut.model_validate(item) for item in items], next_cursor=next_cursor
    )
