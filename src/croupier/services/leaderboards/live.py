"""Live standings on ``leaderboard:<id>``: the top of a board pushed to WebSocket
subscribers, coalesced like the jackpot ticker (``services/jackpots/ticker.py``): at once
when the board's last push is older than ``interval_s``, otherwise at the end of the
interval. A state feed, not a log: each push carries the whole top; its seq is the ledger
batch of the newest counted round (increasing, not gap-free)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable

from croupier.services.leaderboards.ports import Entry
from croupier.services.stream import EventStream, StreamEvent

__all__ = ["BOARD_TICK_TYPE", "LiveBoards", "board_stream"]

BOARD_TICK_TYPE = "leaderboard.tick"
_log = logging.getLogger("croupier.leaderboards")

#: What a push carries: the board's current period id and its top entries.
Standings = Callable[[str], Awaitable[tuple[str, list[Entry]]]]


def board_stream(board_id: str) -> str:
    return f"leaderboard:{board_id}"


class LiveBoards:
    def __init__(self, stream: EventStream, standings: Standings, *, interval_s: float) -> None:
        self.stream = stream
        self.standings = standings
        self.interval_s = interval_s
        self._seq: dict[str, int] = {}
        self._sent_at: dict[str, float] = {}
        self._due: dict[str, asyncio.TimerHandle] = {}
        self._sending: set[asyncio.Task[None]] = set()
        self.latest: dict[str, StreamEvent] = {}  # board -> last push, for new subscribers

    def changed(self, board_id: str, seq: int) -> None:
        """A board changed at ledger batch ``seq``: push it soon."""
        self._seq[board_id] = max(seq, self._seq.get(board_id, 0))
        if board_id in self._due:
            return
        wait = max(0.0, self._sent_at.get(board_id, 0.0) + self.interval_s - time.monotonic())
        self._due[board_id] = asyncio.get_running_loop().call_later(wait, self._send, board_id)

    def _send(self, board_id: str) -> None:
        self._due.pop(board_id, None)
        self._sent_at[board_id] = time.monotonic()
        task = asyncio.get_running_loop().create_task(self._push(board_id))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _push(self, board_id: str) -> None:
        try:
            period, top = await self.standings(board_id)
            data = json.dumps(
                {"board": board_id, "period": period, "top": [e.as_json() for e in top]},
                separators=(",", ":"),
            )
            tick = StreamEvent(
                board_stream(board_id),
                self._seq.get(board_id, 0),
                BOARD_TICK_TYPE,
                time.time_ns() // 10**6,
                data,
            )
            self.latest[board_id] = tick
            await self.stream.broadcast(tick)
        except Exception:  # the next change pushes the standings again
            _log.warning("pushing leaderboard %s failed", board_id, exc_info=True)

    async def close(self) -> None:
        for handle in self._due.values():
            handle.cancel()
        for task in tuple(self._sending):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
