"""Slot rounds over WebSocket: a closed loop (each player starts a round when the last one
is answered) or an open loop (rounds arrive at a fixed total rate whatever the server does;
latency is counted from each round's *scheduled* time, so a stall is not hidden by the
client waiting for it: no coordinated omission)."""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

from croupier.loadtest import LoadtestError
from croupier.loadtest.client import Connection, ConnectionLost, Message
from croupier.loadtest.stats import Tally

__all__ = ["IN_FLIGHT_MAX", "Pacer", "RoundsDriver", "RoundsPlan", "round_frame"]

#: Requests in flight per connection: the server's limit (docs/realtime.md).
IN_FLIGHT_MAX = 16
#: Open loop: rounds scheduled but not yet answered before the run gives up.
BACKLOG_MAX = 100_000


def round_frame(request_id: str, game_id: str, stake: int) -> Message:
    """A ``round.start``; its ``request_id`` is the round's idempotency key, so it must be
    new for every round (a reused one is a cheap replay, not a round)."""
    return {"type": "round.start", "request_id": request_id, "game_id": game_id, "stake": stake}


@dataclass(frozen=True, slots=True)
class RoundsPlan:
    seconds: float
    game_id: str
    stake: int
    #: Total rounds/s over all connections (open loop); ``None``: closed loop.
    rate: float | None = None
    #: Frames/s a connection may send, below the server's 50/s so it never closes us (4429).
    connection_rate_max: float = 45.0
    #: How long to wait for the answers still due when the time is up.
    drain_s: float = 10.0


class Pacer:
    """At most ``rate`` sends per second, evenly spaced (no burst)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0

    async def wait(self) -> None:
        now = time.perf_counter()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)


@dataclass(slots=True)
class _Lane:
    """One connection's share of an open loop: its pacer and in-flight limit."""

    connection: Connection
    pacer: Pacer
    slots: asyncio.Semaphore


class RoundsDriver:
    def __init__(self, connections: Sequence[Connection], plan: RoundsPlan, tally: Tally) -> None:
        if not connections:
            raise LoadtestError("no connections to play on")
        self.connections = connections
        self.plan = plan
        self.tally = tally
        self._ids = itertools.count()
        self._run_id = secrets.token_hex(4)
        self._last_answer_ns = 0

    async def run(self) -> float:
        """Play for ``plan.seconds``, wait for the answers due; the elapsed seconds, from the
        first round to the last answer."""
        started = time.perf_counter_ns()
        stop_at = started + int(self.plan.seconds * 1e9)
        if self.plan.rate is None:
            tasks = {asyncio.create_task(self._closed(c, stop_at)) for c in self.connections}
        else:
            tasks = await self._open(self.plan.rate, started, stop_at)
        if tasks:  # closed loop: the players are still playing; open loop: answers due
            time_left = max(0, stop_at - time.perf_counter_ns()) / 1e9
            _, late = await asyncio.wait(tasks, timeout=time_left + self.plan.drain_s)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        for connection in self.connections:  # refusals without a request_id (rate limit)
            self.tally.errors.update(connection.unmatched)
        self.tally.close_unanswered()
        # The run lasts S, or until its last answer; a closed loop whose connections are all
        # gone ends earlier. An open loop's schedule spans S however soon the answers came.
        ended = stop_at if self.plan.rate is not None else min(time.perf_counter_ns(), stop_at)
        return (max(ended, self._last_answer_ns) - started) / 1e9

    def _frame(self) -> Message:
        request_id = f"lt-{self._run_id}-{next(self._ids)}"
        return round_frame(request_id, self.plan.game_id, self.plan.stake)

    async def _play(self, connection: Connection, since_ns: int | None) -> bool:
        """One round; its latency counts from ``since_ns`` (default: when it was sent).
        False when the connection is gone."""
        since = time.perf_counter_ns() if since_ns is None else since_ns
        sent = connection.send(self._frame())
        self.tally.sent += 1
        try:
            answer, received = await sent
        except ConnectionLost as lost:
            self.tally.error(lost.error_code)
            return False
        self._last_answer_ns = max(self._last_answer_ns, received)
        kind = answer.get("type")
        if kind == "result":
            self.tally.latencies.add(received - since)
        elif kind == "error":
            self.tally.error(str((answer.get("error") or {}).get("code", "unknown")))
        else:
            self.tally.error(f"unexpected-{kind}")
        return True

    async def _closed(self, connection: Connection, stop_at: int) -> None:
        pacer = Pacer(self.plan.connection_rate_max)
        while time.perf_counter_ns() < stop_at:
            await pacer.wait()
            if time.perf_counter_ns() >= stop_at or not await self._play(connection, None):
                return

    async def _open(self, rate: float, started: int, stop_at: int) -> set[asyncio.Task[None]]:
        """Schedule round k at ``started + k / rate`` on connection k mod n; return the
        rounds still running when the time is up."""
        lanes = [
            _Lane(c, Pacer(self.plan.connection_rate_max), asyncio.Semaphore(IN_FLIGHT_MAX))
            for c in self.connections
        ]
        running: set[asyncio.Task[None]] = set()
        interval = 1e9 / rate
        for k in itertools.count():
            scheduled = started + int(k * interval)
            if scheduled >= stop_at:
                break
            delay = scheduled - time.perf_counter_ns()
            if delay > 0:
                await asyncio.sleep(delay / 1e9)
            if len(running) >= BACKLOG_MAX:
                for task in running:
                    task.cancel()
                raise LoadtestError(
                    f"{BACKLOG_MAX:,} rounds waiting: the server cannot keep up with {rate:,.0f}/s"
                )
            task = asyncio.create_task(self._scheduled(lanes[k % len(lanes)], scheduled))
            running.add(task)
            task.add_done_callback(running.discard)
        return running

    async def _scheduled(self, lane: _Lane, scheduled: int) -> None:
        sending = False
        try:
            async with lane.slots:
                await lane.pacer.wait()
                sending = True
                await self._play(lane.connection, scheduled)
        except asyncio.CancelledError:
            # Time ran out while it waited for a free slot on its connection: the rounds a
            # slow server makes wait longest must count, or p99 would flatter it.
            if not sending:
                self.tally.sent += 1
                self.tally.error("not-sent")
            raise
