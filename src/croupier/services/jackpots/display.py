"""The jackpot display values gateways share: the newest tick the ticker sent (the
``JackpotDisplay`` port). The ticker runs beside the ledger's writer; a gateway that joins
later, or serves a new ``jackpots`` subscriber, reads the latest values here rather than
waiting for the next tick. :class:`MemoryJackpotDisplay` is the in-process adapter (and the
fake its contract test runs beside the Redis one)."""

from __future__ import annotations

from typing import Protocol

from croupier.services.stream import StreamEvent

__all__ = ["JackpotDisplay", "MemoryJackpotDisplay"]


class JackpotDisplay(Protocol):
    async def save(self, tick: StreamEvent) -> None:
        """Keep ``tick`` unless one with a higher seq (a newer ledger batch) is kept."""

    async def latest(self) -> StreamEvent | None:
        """The newest tick kept (None before the first)."""
        ...


class MemoryJackpotDisplay:
    def __init__(self) -> None:
        self._tick: StreamEvent | None = None

    async def save(self, tick: StreamEvent) -> None:
        if self._tick is None or tick.seq >= self._tick.seq:
            self._tick = tick

    async def latest(self) -> StreamEvent | None:
        return self._tick
