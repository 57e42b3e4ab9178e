"""Webhook delivery: each event POSTed to the configured URL, signed at each attempt, retried
with exponential backoff on a non-2xx answer or a transport error, as a background task.

Scripted webhook behaviours (:mod:`croupier.sandbox_psp.script`) duplicate, hold back
(reorder), delay or drop deliveries. Every event keeps a record (``GET /_events``) so a test
can wait until nothing is in flight instead of sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from croupier.sandbox_psp.book import Event
from croupier.sandbox_psp.script import Behaviour

__all__ = ["DeliveryPolicy", "DeliveryRecord", "Dispatcher"]

Render = Callable[[Event], bytes]
Sign = Callable[[bytes, int], Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    attempts_max: int = 8
    backoff_ms: int = 50
    backoff_max_ms: int = 2_000
    timeout_ms: int = 5_000

    def __post_init__(self) -> None:
        if self.attempts_max < 1 or self.backoff_ms < 0 or self.timeout_ms <= 0:
            raise ValueError("a delivery needs at least one attempt and a positive timeout")
        if self.backoff_max_ms < self.backoff_ms:
            raise ValueError("backoff_max_ms must be at least backoff_ms")

    def backoff_s(self, attempt: int) -> float:
        return min(self.backoff_ms * (1 << (attempt - 1)), self.backoff_max_ms) / 1000


@dataclass(slots=True)
class DeliveryRecord:
    event: Event
    #: queued, held, sending, delivered, dropped, failed (attempts exhausted), no_url
    state: str = "queued"
    mode: str = "normal"
    #: Each attempt's HTTP status, or the transport error's class name.
    attempts: list[int | str] = field(default_factory=list)
    #: Successful (2xx) deliveries: more than one when the event was duplicated.
    delivered: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event.event_id,
            "kind": self.event.kind,
            "reference": self.event.reference,
            "amount_minor": self.event.amount_minor,
            "state": self.state,
            "mode": self.mode,
            "attempts": self.attempts,
            "delivered": self.delivered,
        }


_IN_FLIGHT = frozenset({"queued", "held", "sending"})


class Dispatcher:
    """Delivers events; owns its tasks and its HTTP client (closed by :meth:`aclose`)."""

    def __init__(
        self,
        render: Render,
        sign: Sign,
        clock_ms: Callable[[], int],
        policy: DeliveryPolicy,
        url: str | None,
    ) -> None:
        self._render = render
        self._sign = sign
        self._clock_ms = clock_ms
        self.policy = policy
        self.url = url
        self.records: dict[str, DeliveryRecord] = {}
        self._held: list[tuple[DeliveryRecord, Behaviour]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        # trust_env=False: a proxy from the environment must not sit between two loopback ends.
        self._client = httpx.AsyncClient(timeout=policy.timeout_ms / 1000, trust_env=False)

    def in_flight(self) -> int:
        return sum(1 for record in self.records.values() if record.state in _IN_FLIGHT)

    def emit(self, event: Event, behaviour: Behaviour | None) -> None:
        record = DeliveryRecord(event, mode=behaviour.action if behaviour else "normal")
        self.records[event.event_id] = record
        if behaviour is not None and behaviour.action == "drop":
            record.state = "dropped"
            return
        if behaviour is not None and behaviour.action == "reorder":
            record.state = "held"
            self._held.append((record, behaviour))
            self.spawn(self._release_later(record, behaviour.hold_max_ms))
            return
        self.spawn(self._deliver(record, behaviour))

    def resend(self, event_id: str) -> bool:
        """Deliver a known event once more (a replay, as a PSP's dashboard allows)."""
        record = self.records.get(event_id)
        if record is None:
            return False
        self.spawn(self._deliver(record, None))
        return True

    def spawn(self, work: Any) -> None:
        """Run ``work`` in the background; :meth:`aclose` cancels what is left."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _release_later(self, record: DeliveryRecord, hold_max_ms: int) -> None:
        await asyncio.sleep(hold_max_ms / 1000)
        self._release(record)

    def _release(self, record: DeliveryRecord) -> None:
        for held in list(self._held):
            if held[0] is record:
                self._held.remove(held)
                record.state = "queued"
                self.spawn(self._deliver(record, held[1]))

    def _release_all_but(self, record: DeliveryRecord) -> None:
        for held, _ in list(self._held):
            if held is not record:
                self._release(held)

    async def _deliver(self, record: DeliveryRecord, behaviour: Behaviour | None) -> None:
        if behaviour is not None and behaviour.action == "delay":
            await asyncio.sleep(behaviour.delay_ms / 1000)
        copies = behaviour.copies if behaviour and behaviour.action == "duplicate" else 1
        for _ in range(copies):
            await self._attempts(record)
        if record.delivered:
            # An event that overtook the held ones has landed: now they may follow.
            self._release_all_but(record)

    async def _attempts(self, record: DeliveryRecord) -> None:
        if self.url is None:
            record.state = "no_url"
            return
        record.state = "sending"
        body = self._render(record.event)
        for attempt in range(1, self.policy.attempts_max + 1):
            headers = {"Content-Type": "application/json", **self._sign(body, self._clock_ms())}
            try:
                response = await self._client.post(self.url, content=body, headers=headers)
                record.attempts.append(response.status_code)
                if response.is_success:
                    record.delivered += 1
                    record.state = "delivered"
                    return
            except httpx.HTTPError as error:
                record.attempts.append(type(error).__name__)
            if attempt < self.policy.attempts_max:
                await asyncio.sleep(self.policy.backoff_s(attempt))
        record.state = "failed" if not record.delivered else "delivered"

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._client.aclose()
