"""Jackpot fan-out: connections subscribed to ``jackpots`` while one player spins; how long
each ``jackpot.tick`` takes to reach every subscriber.

Two delays per tick and subscriber: from the tick's server timestamp ``ts`` (the fan-out
itself) and from the spin request that changed the pool (the round, the commit, the ticker
and the fan-out). A tick is matched to the last spin sent before its ``ts``, so both clocks
must be the same one (client and server on one machine) or synchronised.
"""

from __future__ import annotations

import asyncio
import bisect
import secrets
import time

from croupier.loadtest.client import Connection, ConnectionLost, EventHandler, Message
from croupier.loadtest.rounds import round_frame
from croupier.loadtest.stats import Latencies, Tally

__all__ = ["TICK", "FanoutProbe"]

TICK = "jackpot.tick"
ANSWER_WAIT_S = 10.0  # a spin unanswered this long counts as ``no-answer``; the run goes on


class FanoutProbe:
    def __init__(self, game_id: str, stake: int) -> None:
        self.game_id = game_id
        self.stake = stake
        self.from_ts = Latencies()
        self.from_spin = Latencies()
        self.spin = Tally()  # the spinning player's own round trips
        self.ticks_before_spins = 0  # the tick a subscription starts with, and older ones
        self.ticks_coalesced = 0  # a new tick for a spin this subscriber already had a tick for
        self._sent_wall_ns: list[int] = []
        self._sent_perf_ns: list[int] = []

    @property
    def spins(self) -> int:
        return len(self._sent_wall_ns)

    def subscriber(self) -> EventHandler:
        """The event handler of one subscriber (each keeps its own last seq and spin)."""
        last_seq, last_spin = -1, -1

        def on_event(event: Message, received_ns: int, received_wall_ns: int) -> None:
            nonlocal last_seq, last_spin
            if event.get("type") != TICK or int(event["seq"]) <= last_seq:
                return  # not a tick, or a repeat of one already seen
            last_seq = int(event["seq"])
            ts_ns = int(event["ts"]) * 1_000_000
            # ts is whole ms: the spin is the last one sent before the end of that ms
            spin = bisect.bisect_left(self._sent_wall_ns, ts_ns + 1_000_000) - 1
            if spin < 0:
                self.ticks_before_spins += 1
            elif spin <= last_spin:
                self.ticks_coalesced += 1
            else:
                last_spin = spin
                self.from_ts.add(received_wall_ns - ts_ns)
                self.from_spin.add(received_ns - self._sent_perf_ns[spin])

        return on_event

    async def spin_for(self, connection: Connection, seconds: float, rate: float) -> None:
        """Spin ``rate`` times a second for ``seconds`` (one at a time: a slow answer
        delays the next spin, never adds a second one in flight)."""
        run_id = secrets.token_hex(4)
        started = time.perf_counter_ns()
        stop_at = started + int(seconds * 1e9)
        interval = 1e9 / rate
        for k in range(int(seconds * rate) + 1):
            delay = started + int(k * interval) - time.perf_counter_ns()
            if delay > 0:
                await asyncio.sleep(delay / 1e9)
            if time.perf_counter_ns() >= stop_at:
                return
            frame = round_frame(f"lt-jp-{run_id}-{k}", self.game_id, self.stake)
            self._sent_wall_ns.append(time.time_ns())
            self._sent_perf_ns.append(sent := time.perf_counter_ns())
            self.spin.sent += 1
            try:
                answer, received = await asyncio.wait_for(connection.send(frame), ANSWER_WAIT_S)
            except ConnectionLost as lost:
                self.spin.error(lost.error_code)
                return
            except TimeoutError:
                self.spin.error("no-answer")
                continue
            if answer.get("type") == "result":
                self.spin.latencies.add(received - sent)
            else:
                self.spin.error(str((answer.get("error") or {}).get("code", answer.get("type"))))
