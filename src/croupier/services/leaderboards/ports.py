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
