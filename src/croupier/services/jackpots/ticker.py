"""The jackpot ticker: pool values pushed to ``jackpots`` subscribers, coalesced.

Every settled slot round changes a pool, far too often to push each change. The ticker keeps
the latest value of every pool from the balances each committed batch left (it is a batch
handler of ``services/handlers.py``: pool values are balances, which no event carries, and
a pool's seeding has no event at all) and broadcasts them at most once per ``interval_s`` —
at once when the last tick is older than that (so a single change, such as a jackpot win,
goes out without delay), otherwise at the end of the interval. It is a state
feed, not a log: each tick carries every pool, its seq is the ledger batch of the newest
value (increasing, not gap-free), and a new subscriber starts from the latest tick.
A tick is also repeated every ``repeat_s`` so gateways that join late learn the values;
with a shared display (``display.py``), each tick sent is also kept there for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Mapping

from croupier.domain.ledger import AccountKind, Balance, BatchRecord
from croupier.services.jackpots.display import JackpotDisplay
from croupier.services.jackpots.pools import pool_entry
from croupier.services.ledger.ports import LedgerClient
from croupier.services.stream import JACKPOTS_STREAM, EventStream, StreamEvent

__all__ = ["TICK_TYPE", "JackpotTicker"]

TICK_TYPE = "jackpot.tick"
_POOL_PREFIX = "jackpot:"
_log = logging.getLogger("croupier.ticker")
_POOLS_MAX = 1000  # games × currencies; a bound, not a real-world figure


class JackpotTicker:
    def __init__(
        self,
        ledger: LedgerClient,
        stream: EventStream,
        *,
        interval_s: float = 0.25,
        repeat_s: float = 5.0,
        display: JackpotDisplay | None = None,
    ) -> None:
        self.ledger = ledger
        self.stream = stream
        self.interval_s = interval_s
        self.repeat_s = repeat_s
        self.display = display
        self._values: dict[str, int] = {}  # pool account -> posted minor units
        self._seq = 0  # the batch of the newest value
        self._sent_at = 0.0
        self._due: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._sending: set[asyncio.Task[None]] = set()

    async def load(self) -> None:
        """Read the pools' committed values: all a gateway's ticker does (``tick()`` for a
        new subscriber); the writer's ticker sends the changes, and gateways relay them."""
        for account, balance in await self.ledger.accounts_of_kind(
            AccountKind.JACKPOT_POOL, limit=_POOLS_MAX
        ):
            self._values[account.id] = balance.posted
        self._seq, _ = await self.ledger.head()

    async def start(self) -> None:
        await self.load()
        self._task = asyncio.get_running_loop().create_task(self._repeat(), name="ticker")

    async def close(self) -> None:
        if self._due is not None:
            self._due.cancel()
        for task in (self._task, *self._sending):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def on_commit(self, record: BatchRecord, balances: Mapping[str, Balance]) -> None:
        """A batch handler: note new pool values, schedule a tick."""
        changed = False
        for account_id, balance in balances.items():
            if account_id.startswith(_POOL_PREFIX):
                self._values[account_id] = balance.posted
                changed = True
        if not changed:
            return
        self._seq = record.seq
        if self._due is None:
            wait = max(0.0, self._sent_at + self.interval_s - time.monotonic())
            self._due = asyncio.get_running_loop().call_later(wait, self._send)

    def tick(self) -> StreamEvent:
        """The latest values as one event."""
        pools = [pool_entry(pool, posted) for pool, posted in sorted(self._values.items())]
        data = json.dumps({"pools": pools}, separators=(",", ":"))
        return StreamEvent(JACKPOTS_STREAM, self._seq, TICK_TYPE, time.time_ns() // 10**6, data)

    def _send(self) -> None:
        self._due = None
        self._sent_at = time.monotonic()
        task = asyncio.get_running_loop().create_task(self._broadcast(self.tick()))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _broadcast(self, tick: StreamEvent) -> None:
        try:
            await self.stream.broadcast(tick)
        except Exception:  # the next change or repeat sends the values again
            _log.warning("broadcasting a jackpot tick failed", exc_info=True)
        if self.display is not None:
            try:
                await self.display.save(tick)
            except Exception:  # as above: the next tick is saved again
                _log.warning("saving a jackpot tick for the gateways failed", exc_info=True)

    async def _repeat(self) -> None:
        while True:
            await asyncio.sleep(self.repeat_s)
            if self._due is None and time.monotonic() - self._sent_at >= self.repeat_s:
                self._send()
