"""The in-process boards (the embedded default): per board, a sorted list of
``(packed score, player id)`` ascending and each player's packed score. A rank is counted
from the end (best = largest), as Redis' ``ZREVRANK``; O(log n) per update and rank."""

from __future__ import annotations

from collections.abc import Sequence

from sortedcontainers import SortedList

from croupier.domain.engagement.scores import decode_score, encode_score
from croupier.services.leaderboards.ports import Entry, Update, check_sequence

__all__ = ["MemoryBoards"]


class _Board:
    __slots__ = ("order", "packed")

    def __init__(self) -> None:
        self.order: SortedList = SortedList()
        self.packed: dict[str, float] = {}


class MemoryBoards:
    """Implements :class:`~croupier.services.leaderboards.ports.BoardState` in this process."""

    def __init__(self) -> None:
        self._boards: dict[str, _Board] = {}

    async def apply(self, updates: Sequence[Update]) -> None:
        check_sequence(updates)
        for update in updates:
            self.apply_one(update)

    def apply_one(self, update: Update) -> None:
        board = self._boards.setdefault(update.key, _Board())
        old = board.packed.get(update.player_id)
        score = update.score
        if update.operator == "incr" and old is not None:
            score += decode_score(old, sort=update.sort)[0]
        new = encode_score(score, update.t_s, sort=update.sort)
        if old is not None:
            if update.operator == "best" and new <= old:
                return  # ZADD GT: only a better packed score replaces
            board.order.remove((old, update.player_id))
        board.packed[update.player_id] = new
        board.order.add((new, update.player_id))

    async def top(self, key: str, limit: int, *, sort: str, offset: int = 0) -> list[Entry]:
        board = self._boards.get(key)
        if board is None or limit <= 0:
            return []
        size = len(board.order)
        entries = []
        for rank in range(offset + 1, min(offset + limit, size) + 1):
            packed, player_id = board.order[size - rank]
            entries.append(Entry(rank, player_id, *decode_score(packed, sort=sort)))
        return entries

    async def entry(self, key: str, player_id: str, *, sort: str) -> Entry | None:
        board = self._boards.get(key)
        packed = None if board is None else board.packed.get(player_id)
        if board is None or packed is None:
            return None
        rank = len(board.order) - board.order.index((packed, player_id))
        return Entry(rank, player_id, *decode_score(packed, sort=sort))

    async def size(self, key: str) -> int:
        board = self._boards.get(key)
        return 0 if board is None else len(board.order)

    async def delete(self, key: str) -> None:
        self._boards.pop(key, None)

    async def close(self) -> None:
        self._boards.clear()
