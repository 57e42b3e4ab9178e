"""Leaderboards (docs/engagement.md): the service, its ports and the in-process boards."""

from croupier.services.leaderboards.memory import MemoryBoards
from croupier.services.leaderboards.ports import BoardState, EngagementStore, Entry, Update
from croupier.services.leaderboards.service import LeaderboardLimits, LeaderboardService

__all__ = [
    "BoardState",
    "EngagementStore",
    "Entry",
    "LeaderboardLimits",
    "LeaderboardService",
    "MemoryBoards",
    "Update",
]
