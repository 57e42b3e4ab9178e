"""The embedded event stream: live fan-out inside this process, the outbox as the log.

Nothing is copied: a replay reads the ledger's own ``events`` table, so after a restart a
client resumes from exactly what was committed, and the relay never has to catch up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from croupier.adapters.stream.fanout import Fanout
from croupier.services.ledger.ports import StreamReader
from croupier.services.stream import BatchMark, Handler, StreamEvent, StreamTail

__all__ = ["InProcessStream"]


class InProcessStream:
    def __init__(self, reader: StreamReader) -> None:
        self.reader = reader
        self._fanout = Fanout()

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def relayed_through(self) -> int | None:
        return None

    async def newest(self) -> StreamTail | None:
        return None  # no copy: nothing to tell apart from the ledger

    async def publish(
        self,
        events: Sequence[tuple[int, StreamEvent]],
        marks: Mapping[int, BatchMark] | None = None,
    ) -> None:
        for _, event in events:
            self._fanout.deliver(event)

    async def broadcast(self, event: StreamEvent) -> None:
        self._fanout.deliver(event)

    async def head(self, stream: str) -> int:
        return await self.reader.stream_head(stream)

    async def read(self, stream: str, *, after_seq: int, limit: int) -> list[StreamEvent]:
        events = await self.reader.stream_events(stream, after_seq=after_seq, limit=limit)
        return [StreamEvent.of(event) for event in events]

    def subscribe(self, family: str, handler: Handler) -> Callable[[], None]:
        return self._fanout.subscribe(family, handler)
