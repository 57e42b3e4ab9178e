"""Live poker: the cash-table lobby, one table, and hand histories (text and JSON)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from croupier.api.http.auth import CurrentPlayer, platform_of
from croupier.api.http.compliance import LocatedPlayer
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.api.ws.poker import register as register_entry
from croupier.api.ws.poker import tournaments_of
from croupier.domain.poker.live_errors import TableNotFound
from croupier.services.poker import TableDirectory, finished_hand
from croupier.services.poker.tournaments.views import tournament_line, tournament_view
from croupier.services.poker.views import lobby_line

router = api_router(prefix="/v1/poker", tags=["poker"])

TableId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,80}$")]
TournamentId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,80}$")]
HandId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,80}\.[0-9]{1,18}$")]


class TablesOut(BaseModel):
    items: list[dict[str, Any]]


def _tables(request: Request) -> TableDirectory:
    directory = platform_of(request).poker
    if directory is None:
        raise TableNotFound("no live tables are open on this server")
    return directory


@router.get("/tables", responses=PROBLEMS)
async def lobby(request: Request) -> TablesOut:
    """Every open cash table: stakes, buy-in limits, seats taken and the wait list."""
    return TablesOut(items=[lobby_line(table.model) for table in _tables(request).tables()])


@router.get("/tables/{table_id}", responses=PROBLEMS)
async def table(table_id: TableId, request: Request) -> dict[str, Any]:
    """One table as everyone sees it (seats, stacks, the hand's board, pots and turn);
    ``head_seq`` is where to resume its ``table`` channel (``after_seq``)."""
    return _tables(request).get(table_id).view()


@router.get(
    "/hands/{hand_id}",
    responses={**PROBLEMS, 200: {"content": {"text/plain": {}, "application/json": {}}}},
)
async def hand(
    hand_id: HandId,
    player: CurrentPlayer,
    request: Request,
    format: Annotated[Literal["text", "json"], Query()] = "json",
) -> Response:
    """A finished hand's history: PokerStars-style text (``format=text``) or JSON, with
    the revealed seed. Your own hole cards and the cards shown at showdown; nobody else's."""
    finished = await finished_hand(platform_of(request).ledger, hand_id)
    if format == "text":
        return PlainTextResponse(finished.text(player.player_id))
    return JSONResponse(finished.as_json(player.player_id))


class TournamentsOut(BaseModel):
    items: list[dict[str, Any]]


@router.get("/tournaments", responses=PROBLEMS)
async def tournaments(request: Request) -> TournamentsOut:
    """Every tournament: structure, buy-in and fee, status, entries, level, prize pool."""
    lobby = tournaments_of(platform_of(request))
    return TournamentsOut(items=[tournament_line(live) for live in lobby.tournaments()])


@router.get("/tournaments/{tournament_id}", responses=PROBLEMS)
async def tournament(tournament_id: TournamentId, request: Request) -> dict[str, Any]:
    """One tournament: its level and blinds, tables and stacks, and the results (places and
    prizes); ``head_seq`` is where to resume its ``tournament`` channel (``after_seq``)."""
    return tournament_view(tournaments_of(platform_of(request)).get(tournament_id))


@router.post("/tournaments/{tournament_id}/registration", responses=PROBLEMS)
async def register(
    tournament_id: TournamentId, player: LocatedPlayer, request: Request
) -> dict[str, Any]:
    """Enter: the buy-in goes to the prize pool and the fee to the house, in one ledger
    group. Refused (nothing changed): ``already-registered``, ``registration-closed``,
    ``insufficient-funds``, and what refuses a round (self-exclusion, KYC, ``geo-blocked``,
    ``loss-limit``/``wager-limit``: the entry counts against them as a stake)."""
    platform = platform_of(request)
    live = tournaments_of(platform).get(tournament_id)
    await register_entry(platform, player, live)
    return tournament_view(live, player.player_id)


@router.delete("/tournaments/{tournament_id}/registration", responses=PROBLEMS)
async def unregister(
    tournament_id: TournamentId, player: LocatedPlayer, request: Request
) -> dict[str, Any]:
    """Leave before the start: buy-in and fee back to the wallet. ``not-registered``;
    ``registration-closed`` once it started."""
    live = tournaments_of(platform_of(request)).get(tournament_id)
    await live.unregister(player.player_id)
    return tournament_view(live, player.player_id)


@router.api_route(
    "/tournaments/{tournament_id}/registration",
    methods=["GET", "OPTIONS", "PATCH", "PUT"],
    include_in_schema=False,
)
async def registration_other_methods() -> None:
    """405 naming both of the path's methods: Starlette's own 405 names only the first
    route's (POST), as POST and DELETE are two routes here."""
    raise HTTPException(405, headers={"Allow": "POST, DELETE"})
