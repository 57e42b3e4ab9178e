"""Leaderboards and slot tournaments for players (docs/engagement.md, docs/api.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request

from croupier.api.http.auth import CurrentPlayer, platform_of
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.domain.errors import Unavailable
from croupier.engagement_wiring import Engagement
from croupier.services.leaderboards.periods import Period

__all__ = ["router"]

router = api_router(prefix="/v1", tags=["engagement"])

Limit = Annotated[int, Query(ge=0, le=100, description="entries, at most 100")]
Radius = Annotated[int, Query(ge=0, le=25, description="players either side, at most 25")]


def _engagement(request: Request) -> Engagement:
    found = platform_of(request).engagement
    if found is None:
        raise Unavailable("leaderboards are not configured on this server")
    return found


def _period(period: Period) -> dict[str, Any]:
    return {"id": period.id, "starts_at_ms": period.start_ms, "ends_at_ms": period.end_ms}


@router.get("/leaderboards", responses=PROBLEMS)
async def leaderboards(player: CurrentPlayer, request: Request) -> dict[str, Any]:
    """Every leaderboard's definition."""
    service = _engagement(request).leaderboards
    await service.load()
    items = [service.definitions[key].as_json() for key in sorted(service.definitions)]
    return {"items": items}


@router.get("/leaderboards/{board_id}", responses=PROBLEMS)
async def leaderboard(
    board_id: str, player: CurrentPlayer, request: Request, limit: Limit = 10
) -> dict[str, Any]:
    """The current period's top ``limit``: rank, player id, score (ties: first to reach
    the score ranks higher)."""
    period, top = await _engagement(request).leaderboards.top(board_id, limit)
    return {"id": board_id, "period": _period(period), "items": [e.as_json() for e in top]}


@router.get("/leaderboards/{board_id}/me", responses=PROBLEMS)
async def my_rank(board_id: str, player: CurrentPlayer, request: Request) -> dict[str, Any]:
    """The caller's rank and score this period (``entry`` null: not on the board yet)."""
    period, entry = await _engagement(request).leaderboards.me(board_id, player.player_id)
    return {
        "id": board_id,
        "period": _period(period),
        "entry": None if entry is None else entry.as_json(),
    }


@router.get("/leaderboards/{board_id}/around-me", responses=PROBLEMS)
async def around_me(
    board_id: str, player: CurrentPlayer, request: Request, radius: Radius = 5
) -> dict[str, Any]:
    """The caller and up to ``radius`` players either side (empty: not on the board)."""
    service = _engagement(request).leaderboards
    period, entries = await service.around_me(board_id, player.player_id, radius)
    return {"id": board_id, "period": _period(period), "items": [e.as_json() for e in entries]}


@router.get("/leaderboards/{board_id}/periods", responses=PROBLEMS)
async def closed_periods(
    board_id: str, player: CurrentPlayer, request: Request, limit: Limit = 20
) -> dict[str, Any]:
    """The board's closed periods, newest first."""
    periods = await _engagement(request).leaderboards.closed_periods(board_id, limit)
    return {"id": board_id, "items": periods}


@router.get("/leaderboards/{board_id}/periods/{period}", responses=PROBLEMS)
async def closed_period(
    board_id: str, period: str, player: CurrentPlayer, request: Request
) -> dict[str, Any]:
    """A closed period's final standings (its top 1,000)."""
    closed = await _engagement(request).leaderboards.closed(board_id, period)
    return {
        "id": board_id,
        "period": {"id": closed.period, "starts_at_ms": closed.starts_at_ms,
                   "ends_at_ms": closed.ends_at_ms},
        "items": [entry.as_json() for entry in closed.entries],
    }  # fmt: skip


@router.get("/tournaments", responses=PROBLEMS)
async def tournaments(player: CurrentPlayer, request: Request) -> dict[str, Any]:
    """The newest tournaments (up to 100) and their state: open, settling, settled."""
    return {"items": await _engagement(request).tournaments.list()}


@router.get("/tournaments/{tournament_id}", responses=PROBLEMS)
async def tournament(tournament_id: str, player: CurrentPlayer, request: Request) -> dict[str, Any]:
    """A tournament: its rules, entrants, live standings, or once settled its results
    (standings and the prizes paid)."""
    return await _engagement(request).tournaments.get(tournament_id)


@router.post("/tournaments/{tournament_id}/entries", status_code=201, responses=PROBLEMS)
async def join(tournament_id: str, player: CurrentPlayer, request: Request) -> dict[str, Any]:
    """Join: the fee (if any) moves from the caller's cash to the tournament's pool, once
    however often this is sent. 403 for a player barred from play (self-excluded, timed
    out, frozen), 409 when the tournament is full or over."""
    return await _engagement(request).tournaments.join(tournament_id, player)
