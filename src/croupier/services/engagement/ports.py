"""The engagement store's port: play counts per player and game, and activity per player and
UTC day, both aggregated (a row per player and game, a row per player and day, never one per
round). The tally (:mod:`croupier.services.engagement.tally`) adds to them in batches.

:class:`MemoryEngagementStore` is the in-process twin (tests, and a platform built by hand);
the SQLite and PostgreSQL adapters keep the same tables in the ledger's database (migration
0021). One contract suite runs against all three (tests/integration/test_engagement_store.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from croupier.domain.engagement import DayActivity
from croupier.services.engagement.model import PlayCount

__all__ = ["DayDelta", "EngagementStore", "MemoryEngagementStore", "PlayDelta", "PlayerSummary"]


@dataclass(frozen=True, slots=True)
class PlayDelta:
    """Rounds and stakes to add to one player's count of one game; ``played_at_ms``: the
    latest round's commit time among them."""

    player_id: str
    game_id: str
    rounds: int
    stake_minor: int
    played_at_ms: int


@dataclass(frozen=True, slots=True)
class DayDelta:
    """Activity to add to one player's UTC day (``activity.day``)."""

    player_id: str
    activity: DayActivity


@dataclass(frozen=True, slots=True)
class PlayerSummary:
    """What the segment rules read of one player from this store."""

    player_id: str
    last_played_ms: int | None
    days: tuple[DayActivity, ...] = field(default=())


class EngagementStore(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def add(self, plays: Sequence[PlayDelta], days: Sequence[DayDelta]) -> None:
        """Add the deltas to their rows (created at zero when absent), all in one
        transaction; ``last_played_ms`` keeps the later of the stored and the new."""
        ...

    async def play_counts(self, *, limit: int) -> list[PlayCount]:
        """Up to ``limit`` (player, game) counts, most recently played first: the trainer's
        input."""
        ...

    async def player_plays(self, player_id: str) -> list[PlayCount]:
        """One player's counts, one per game they played."""
        ...

    async def summaries(
        self, since: date, *, player_id: str | None = None, limit: int
    ) -> list[PlayerSummary]:
        """Players (only ``player_id`` when given, even one never seen, else up to ``limit``
        of those seen, by id) with their last round and their days from ``since`` on."""
        ...


def _add_day(into: DayActivity, more: DayActivity) -> DayActivity:
    return DayActivity(
        into.day,
        into.rounds + more.rounds,
        into.stake_minor + more.stake_minor,
        into.late_night_rounds + more.late_night_rounds,
        into.deposits_minor + more.deposits_minor,
    )


class MemoryEngagementStore:
    """The in-process store: dictionaries, lost when the process ends."""

    def __init__(self) -> None:
        self._plays: dict[tuple[str, str], tuple[int, int, int]] = {}
        self._days: dict[tuple[str, date], DayActivity] = {}
        #: Players with an open AML flag (the database stores read the risk queue's table).
        self.risk_flagged: set[str] = set()

    async def has_open_risk_flag(self, player_id: str) -> bool:
        return player_id in self.risk_flagged

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def add(self, plays: Sequence[PlayDelta], days: Sequence[DayDelta]) -> None:
        for play in plays:
            rounds, stake, last = self._plays.get((play.player_id, play.game_id), (0, 0, 0))
            self._plays[play.player_id, play.game_id] = (
                rounds + play.rounds,
                stake + play.stake_minor,
                max(last, play.played_at_ms),
            )
        for delta in days:
            key = (delta.player_id, delta.activity.day)
            self._days[key] = _add_day(self._days.get(key, DayActivity(key[1])), delta.activity)

    async def play_counts(self, *, limit: int) -> list[PlayCount]:
        newest = sorted(self._plays.items(), key=lambda item: (-item[1][2], item[0]))[:limit]
        return [PlayCount(p, g, rounds, stake) for (p, g), (rounds, stake, _) in newest]

    async def player_plays(self, player_id: str) -> list[PlayCount]:
        return [
            PlayCount(p, g, rounds, stake)
            for (p, g), (rounds, stake, _) in sorted(self._plays.items())
            if p == player_id
        ]

    async def summaries(
        self, since: date, *, player_id: str | None = None, limit: int
    ) -> list[PlayerSummary]:
        known = {p for p, _ in self._plays} | {p for p, _ in self._days}
        chosen = sorted(known)[:limit] if player_id is None else [player_id]
        found = []
        for player in chosen:
            lasts = [v[2] for (p, _), v in self._plays.items() if p == player]
            days = sorted(
                (d for (p, day), d in self._days.items() if p == player and day >= since),
                key=lambda d: d.day,
            )
            found.append(PlayerSummary(player, max(lasts) if lasts else None, tuple(days)))
        return found
