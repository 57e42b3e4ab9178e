"""A WebSocket test client (the ``websockets`` library: not our server's stack) that files
each frame as it arrives: answers by request_id, events in arrival order."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

_ids = itertools.count(1)


class Client:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.events: list[dict[str, Any]] = []
        self.frames: list[dict[str, Any]] = []  # everything, answers and events, as it came
        self.answers: dict[str | None, list[dict[str, Any]]] = {}
        self.finished = False  # the server closed the connection, or it dropped
        self._arrived = asyncio.Condition()
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for text in self.connection:
                frame = json.loads(text)
                async with self._arrived:
                    self.frames.append(frame)
                    if "request_id" in frame:  # an answer; events never carry one
                        self.answers.setdefault(frame["request_id"], []).append(frame)
                    else:
                        self.events.append(frame)
                    self._arrived.notify_all()
        async with self._arrived:
            self.finished = True
            self._arrived.notify_all()

    async def send(self, message: dict[str, Any] | str) -> None:
        text = message if isinstance(message, str) else json.dumps(message)
        await self.connection.send(text)

    async def request(self, message: dict[str, Any], timeout: float = 10) -> dict[str, Any]:
        """Send with a fresh request_id (unless given) and wait for its answer."""
        request_id = message.setdefault("request_id", f"req-{next(_ids):06d}")
        await self.send(message)
        return await self.answer(request_id, timeout)

    async def answer(self, request_id: str | None, timeout: float = 10) -> dict[str, Any]:
        """The answer to ``request_id``; ``ConnectionClosed`` if the connection ends first."""
        async with asyncio.timeout(timeout), self._arrived:
            await self._arrived.wait_for(
                lambda: bool(self.answers.get(request_id)) or self.finished
            )
            if not self.answers.get(request_id):
                raise self.connection.protocol.close_exc
            return self.answers[request_id].pop(0)

    async def wait_events(
        self, count: int, stream: str | None = None, timeout: float = 10
    ) -> list[dict[str, Any]]:
        """Wait until ``count`` events (of ``stream``, if given) have arrived; return them."""

        def matching() -> list[dict[str, Any]]:
            return [e for e in self.events if stream is None or e["stream"] == stream]

        async with asyncio.timeout(timeout), self._arrived:
            await self._arrived.wait_for(lambda: len(matching()) >= count)
            return matching()

    async def closed(self, timeout: float = 10) -> tuple[int | None, str]:
        """Wait for the server to close; its close code and reason."""
        async with asyncio.timeout(timeout):
            await self.connection.wait_closed()
        return self.connection.close_code, self.connection.close_reason or ""


@asynccontextmanager
async def ws_client(
    base: str, token: str | None = None, *, auth: bool = True, headers: dict[str, str] | None = None
) -> AsyncIterator[Client]:
    """A connection to ``base``'s /v1/ws, authenticated with an ``auth`` message;
    ``headers`` go on the upgrade request."""
    url = base.replace("http://", "ws://") + "/v1/ws"
    async with connect(url, max_size=2**20, additional_headers=headers) as connection:
        client = Client(connection)
        try:
            if auth and token is not None:
                answer = await client.request({"type": "auth", "token": token})
                assert answer["type"] == "authenticated", answer
            yield client
        finally:
            client._reader.cancel()
