"""Wiring of engagement (issue 18): leaderboards and slot tournaments, their store, the live
boards (in process, or Redis when ``CROUPIER_STATE_URL`` names one) and their feed on the
handler table. Kept out of ``bootstrap.py`` so the composition root gains a few lines."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from croupier.adapters.leaderboard_files import load_leaderboards
from croupier.adapters.slot_tournament_files import load_tournaments
from croupier.config import Settings
from croupier.domain.engagement.tournaments import TOURNAMENT_BOARD_PREFIX
from croupier.domain.errors import StateConflict
from croupier.services.handlers import EventHandlers
from croupier.services.leaderboards.live import LiveBoards
from croupier.services.leaderboards.memory import MemoryBoards
from croupier.services.leaderboards.ports import BoardState, EngagementStore, Entry
from croupier.services.leaderboards.service import LeaderboardService
from croupier.services.ledger import LedgerClient
from croupier.services.stream import EventStream
from croupier.services.tournaments import JoinGate, TournamentService

__all__ = [
    "Engagement",
    "make_boards",
    "make_engagement_store",
    "open_engagement",
    "open_writer_leaderboards",
]


@dataclass
class Engagement:
    leaderboards: LeaderboardService
    tournaments: TournamentService
    store: EngagementStore
    boards: BoardState

    async def close(self) -> None:
        await self.tournaments.close()
        await self.leaderboards.close()
        await self.boards.close()
        await self.store.close()


def make_engagement_store(database_url: str) -> EngagementStore:
    """The engagement store (same database as the ledger, which migrates it)."""
    if database_url.startswith("sqlite:///"):
        from croupier.adapters.storage.sqlite.engagement import SqliteEngagementStore

        return SqliteEngagementStore(database_url.removeprefix("sqlite:///"))
    from croupier.adapters.storage.postgres.engagement import PostgresEngagementStore

    return PostgresEngagementStore(database_url)


def make_boards(state_url: str) -> BoardState:
    """In this process (``memory://``), or Redis sorted sets shared by every process."""
    if state_url == "memory://":
        return MemoryBoards()
    from croupier.adapters.state.connection import connect_state
    from croupier.adapters.state.leaderboards import RedisBoards

    return RedisBoards(connect_state(state_url), owns_state=True)


def _clock_ms() -> int:
    return time.time_ns() // 1_000_000


async def open_engagement(
    settings: Settings,
    *,
    ledger: LedgerClient,
    stream: EventStream,
    gate: JoinGate,
    handlers: EventHandlers | None,
) -> Engagement:
    """Open the store and the boards; with ``handlers`` (the writer's process), count the
    committed rounds, push live standings, close periods and settle tournaments; without
    (a gateway), answer queries only."""
    store = make_engagement_store(settings.database_url)
    await store.open()
    boards = make_boards(settings.state_url)
    leaderboards = LeaderboardService(boards, store, load_leaderboards(), clock_ms=_clock_ms)
    tournaments = TournamentService(
        store, boards, ledger, leaderboards, gate, clock_ms=_clock_ms, stream=stream
    )
    engagement = Engagement(leaderboards, tournaments, store, boards)
    try:
        if handlers is None:
            await leaderboards.load()
            return engagement
        leaderboards.live = LiveBoards(
            stream, _standings(leaderboards, tournaments), interval_s=1.0
        )
        leaderboards.subscribe(handlers)
        if settings.engagement.tournaments_dir is not None:
            await tournaments.create_from_files(
                load_tournaments(settings.engagement.tournaments_dir)
            )
        await tournaments.start(settle=False)  # its feed, before any round is replayed
        # In-process boards are rebuilt from the ledger's round events (a restart lost
        # them); Redis keeps its own. Tournaments settle once the boards are whole.
        rebuild = isinstance(boards, MemoryBoards)
        await leaderboards.start(
            history=ledger if rebuild else None, since_ms=tournaments.open_since_ms()
        )
        await tournaments.start_settling()
    except BaseException:
        await engagement.close()
        raise
    return engagement


class _NoJoins:
    """The writer's tournaments take no joins: players join through a gateway."""

    async def before_round(self, player_id: str, game_id: str) -> None:
        raise StateConflict("players join tournaments through a gateway")


async def open_writer_leaderboards(
    settings: Settings, ledger: LedgerClient, stream: EventStream, handlers: EventHandlers
) -> Callable[[], Awaitable[None]]:
    """The leaderboards and slot tournaments of ``croupier writer`` (the active writer of a
    cluster, whose handler table hears every commit): count the rounds, push the live
    standings, close periods, settle tournaments; the closer to call when it stops. The
    gateways answer the queries from the same boards: Redis (``CROUPIER_STATE_URL``), as
    every process of a cluster shares it. The tournaments made and joined through the
    gateways reach this process's feed within a settle interval (``refresh``)."""
    engagement = await open_engagement(
        settings, ledger=ledger, stream=stream, gate=_NoJoins(), handlers=handlers
    )
    return engagement.close


def _standings(
    leaderboards: LeaderboardService, tournaments: TournamentService
) -> Callable[[str], Awaitable[tuple[str, list[Entry]]]]:
    """A board's live standings: a tournament's board, or a leaderboard's current period."""

    async def standings(board_id: str) -> tuple[str, list[Entry]]:
        if board_id.startswith(TOURNAMENT_BOARD_PREFIX):
            return await tournaments.standings(board_id)
        return await leaderboards.standings(board_id)

    return standings
