"""The leaderboards' ports: the live boards (:class:`BoardState`: in process or Redis) and
the store of definitions and closed periods (:class:`EngagementStore`: SQLite or PostgreSQL).

A board is one sorted set per ``(board id, period)``, its members player ids, its scores
packed with the time tie-break (``domain/engagement/scores.py``). Ranks start at 1 and follow
the packed score descending, then the player id descending (Redis' ``ZREVRANK`` order)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["BoardState", "Entry", "Update"]


@dataclass(frozen=True, slots=True)
class Update:
    """One new value for a player on one board's period (``key``)."""

    key: str
    player_id: str
    score: int
    t_s: int  # seconds since the period began
    sort: str
    operator: str


@dataclass(frozen=True, slots=True)
class Entry:
    """A player's place: rank (1 = first), score, and when it was reached (s into the period)."""

    rank: int
    player_id: str
    score: int
    t_s: int

    def as_json(self) -> dict[str, object]:
        return {"rank": self.rank, "player_id": self.player_id, "score": self.score}


class BoardState(Protocol):
    async def apply(self, updates: Sequence[Update]) -> None:
        """Apply updates in order (one round trip on Redis)."""

    async def top(self, key: str, limit: int, *, sort: str, offset: int = 0) -> list[Entry]:
        """Ranks ``offset + 1`` to ``offset + limit``."""
        ...

    async def entry(self, key: str, player_id: str, *, sort: str) -> Entry | None: ...

    async def size(self, key: str) -> int: ...

    async def delete(self, key: str) -> None: ...

    async def close(self) -> None: ...


async def around(
    boards: BoardState, key: str, player_id: str, radius: int, *, sort: str
) -> list[Entry]:
    """The player and up to ``radius`` players either side (empty: not on the board)."""
    own = await boards.entry(key, player_id, sort=sort)
    if own is None:
        return []
    first = max(own.rank - 1 - radius, 0)
    return await boards.top(key, own.rank - first + radius, sort=sort, offset=first)


def check_sequence(updates: Sequence[Update]) -> None:
    """Refuse an unknown operator before anything is applied."""
    for update in updates:
        if update.operator not in ("best", "set", "incr") or update.sort not in ("desc", "asc"):
            raise ValueError(f"unknown operator or sort in {update!r}")


@dataclass(frozen=True, slots=True)
class ClosedPeriod:
    """A board's period once it closed: its final standings, best first."""

    board_id: str
    period: str
    starts_at_ms: int
    ends_at_ms: int
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class StoredTournament:
    definition_json: str
    state: str  # open, settling, settled
    results_json: str | None


class EngagementStore(Protocol):
    """Definitions made in the back office, closed periods, tournaments and their entrants
    (migration 0020; the ledger's database, which the ledger store migrates)."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def add_definition(
        self, board_id: str, definition_json: str, by: str, at_ms: int
    ) -> bool:
        """False if a definition of that id exists."""
        ...

    async def delete_definition(self, board_id: str) -> bool: ...

    async def definitions(self) -> list[str]:
        """Every stored definition's JSON, by id."""
        ...

    async def archive_period(self, closed: ClosedPeriod) -> bool:
        """Keep a closed period; False (and nothing changed) if it was kept already."""
        ...

    async def closed_period(self, board_id: str, period: str) -> ClosedPeriod | None: ...

    async def closed_periods(self, board_id: str, *, limit: int) -> list[str]:
        """The board's closed period ids, newest first."""
        ...

    async def add_tournament(
        self, tournament_id: str, definition_json: str, ends_at_ms: int, at_ms: int
    ) -> bool: ...

    async def tournament(self, tournament_id: str) -> StoredTournament | None: ...

    async def tournaments(self, *, limit: int) -> list[StoredTournament]: ...

    async def due_tournaments(self, now_ms: int, *, limit: int) -> list[str]:
        """Ids of tournaments ended by ``now_ms`` and not settled yet."""
        ...

    async def move_tournament(
        self, tournament_id: str, *, from_state: str, to_state: str, results_json: str | None
    ) -> bool:
        """Compare-and-set the state (and, if given, the results); False if it was not
        ``from_state``."""
        ...

    async def add_entry(
        self, tournament_id: str, player_id: str, *, fee_minor: int, at_ms: int, entrants_max: int
    ) -> bool:
        """Enter a player if the tournament has fewer than ``entrants_max`` entrants, in one
        statement (two joins at once never overfill it); True also if already entered."""
        ...

    async def entries(self, tournament_id: str) -> list[tuple[str, int]]:
        """``(player_id, fee_minor)`` of every entrant, in joining order."""
        ...

    async def entered_at(self, tournament_id: str) -> dict[str, int]:
        """When each entrant joined (ms): their rounds count from then on."""
        ...
