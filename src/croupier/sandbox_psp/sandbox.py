"""The flavour-free core of a sandbox PSP: takes orders, follows the script, keeps the book,
emits webhooks. The flavours (:mod:`.alpha`, :mod:`.beta`) only translate their JSON to
:class:`~croupier.sandbox_psp.book.Order` and back."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from dataclasses import dataclass

from croupier.sandbox_psp.book import Adjustment, Book, Conflict, Event, Order, Payment, Status
from croupier.sandbox_psp.script import Behaviour, Script
from croupier.sandbox_psp.webhooks import Dispatcher

__all__ = ["AnswerLost", "Broken", "Conflict", "Sandbox", "wall_clock_ms"]


class AnswerLost(Exception):
    """Raised after the answer started, so the server drops the connection mid-answer."""


@dataclass(frozen=True, slots=True)
class Broken:
    """No usable answer: an HTTP error status, a lost connection or a 502."""

    status_code: int  # 0: drop the connection


class Sandbox:
    def __init__(
        self, book: Book, dispatcher: Dispatcher, hang_max_ms: int, default_action: str = "approve"
    ) -> None:
        self.book = book
        self.script = Script()
        self.dispatcher = dispatcher
        self.hang_max_ms = hang_max_ms
        self.default_action = default_action
        #: Set when the server stops: hung requests give up (and drop their connection).
        self.stopping = asyncio.Event()

    async def submit(self, order: Order) -> Payment | Broken:
        """Take an order as scripted; ``Conflict`` if its reference is known otherwise."""
        known = self.book.check_repeat(order)
        behaviour = self.script.next_for_request(order.operation, order.reference)
        action = behaviour.action if behaviour else self.default_action
        if behaviour and behaviour.delay_ms:
            await asyncio.sleep(behaviour.delay_ms / 1000)
            # A twin request may have landed meanwhile: look again, as the PSP would.
            known = self.book.check_repeat(order)
        if known is None and (behaviour is None or behaviour.applies):
            known = self._apply(order, action, behaviour)
        answer = await self._answer(known, action, behaviour)
        if answer is None:  # not applied, yet no broken answer: cannot be with a valid script
            raise RuntimeError(f"the {action} behaviour left {order.reference} unanswered")
        return answer

    async def lookup(self, reference: str) -> Payment | Broken | None:
        behaviour = self.script.next_for_request("status", reference)
        if behaviour and behaviour.delay_ms:
            await asyncio.sleep(behaviour.delay_ms / 1000)
        action = behaviour.action if behaviour else "approve"
        return await self._answer(self.book.find(reference), action, behaviour)

    def _apply(self, order: Order, action: str, behaviour: Behaviour | None) -> Payment:
        if action == "decline":
            status, reason = Status.DECLINED, behaviour.reason if behaviour else ""
        elif action == "pending":
            status, reason = Status.PENDING, ""
        else:
            status, reason = Status.APPROVED, ""
        payment, event = self.book.receive(order, status, reason)
        if event is not None:
            self.emit(event)
        if payment.status is Status.PENDING and behaviour and behaviour.settle_after_ms is not None:
            self.dispatcher.spawn(
                self._settle_later(
                    order.reference, behaviour.settle_after_ms, Status(behaviour.settle_as)
                )
            )
        return payment

    async def _answer(
        self, payment: Payment | None, action: str, behaviour: Behaviour | None
    ) -> Payment | Broken | None:
        if action == "hang":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), self.hang_max_ms / 1000)
            return Broken(0)
        if action == "error":
            return Broken(behaviour.status_code if behaviour else 503)
        if action == "lose_answer":
            return Broken(502 if behaviour and behaviour.how == "502" else 0)
        return payment

    def emit(self, event: Event) -> None:
        behaviour = self.script.next_for_event(event.kind, event.reference)
        self.dispatcher.emit(event, behaviour)

    async def _settle_later(self, reference: str, after_ms: int, status: Status) -> None:
        await asyncio.sleep(after_ms / 1000)
        self.settle(reference, status)

    def settle(self, reference: str, status: Status, reason: str = "") -> bool:
        """Settle a pending payment (``POST /_settle`` or its timer); False if not pending."""
        if reference not in self.book.payments:
            return False
        if status is Status.DECLINED:
            reason = reason or "declined by the sandbox"
        event = self.book.settle(reference, status, reason)
        if event is not None:
            self.emit(event)
        return self.book.payments[reference].status is status

    def adjust(self, kind: str, charge_reference: str, amount_minor: int | None) -> Event:
        event = self.book.adjust(kind, charge_reference, amount_minor)
        self.emit(event)
        return event

    def settlement(self, day: dt.date) -> list[Adjustment]:
        return self.book.settlement(day)


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000
