"""The handler table: what runs when the ledger commits events (event type → handlers).

The ledger writer tells the table of every durable commit (:meth:`EventHandlers.committed`,
its one commit listener), and the table passes the batch on, in this order:

* to every *batch handler* (:meth:`EventHandlers.on_batch`), whole: its events in commit
  order and the balances it left. The outbox relay (which publishes every event, in order,
  resumable by seq) and the jackpot ticker (which watches pool balances) are batch handlers;
* then, event by event in commit order, to the handlers of its record type
  (:meth:`EventHandlers.on`), decoded once by the codec, as a :class:`Committed`: the
  typed record and the stored event (its stream, seq, commit time and batch).

Handlers run on the event loop in the writer's commit path: they must not block, and one
with IO to do queues it for a task of its own (as the relay does). Each handler's failure
is logged and stops neither the other handlers nor the money. A handler hears of commits
made after it is registered: register in ``bootstrap.py``, before the platform takes
traffic::

    handlers.on(RoundPlayed, leaderboard.round_played)   # Committed[RoundPlayed] -> None
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from croupier.domain.errors import UnreadableEvent
from croupier.domain.events import RECORD_TYPES, Record, decode, family_of
from croupier.domain.ledger import Balance, BatchRecord, Event

__all__ = ["BatchHandler", "Committed", "EventHandlers"]

R = TypeVar("R", bound=Record)
_log = logging.getLogger("croupier.handlers")

#: Called with each committed batch and the final balances of the accounts it touched.
BatchHandler = Callable[[BatchRecord, Mapping[str, Balance]], None]


@dataclass(frozen=True, slots=True)
class Committed(Generic[R]):
    """A committed event: its typed record, and the event as the ledger stored it."""

    record: R
    event: Event


class EventHandlers:
    """Event type → handlers, and the handlers of whole batches."""

    def __init__(self) -> None:
        self._batch: list[BatchHandler] = []
        self._by_type: dict[tuple[str, str], list[Callable[[Committed[Any]], None]]] = {}

    def on(self, kind: type[R], handler: Callable[[Committed[R]], None]) -> None:
        """Call ``handler`` with every committed record of type ``kind``."""
        if kind not in RECORD_TYPES:
            raise TypeError(f"{kind.__name__} is not an event record")
        self._by_type.setdefault((kind.FAMILY, kind.TYPE), []).append(handler)

    def on_batch(self, handler: BatchHandler) -> None:
        """Call ``handler`` with every committed batch, before any record's handlers."""
        self._batch.append(handler)

    def committed(self, batch: BatchRecord, balances: Mapping[str, Balance]) -> None:
        """The writer's commit listener: dispatch one committed batch."""
        for batch_handler in self._batch:
            try:
                batch_handler(batch, balances)
            except Exception:
                _log.exception("a batch handler failed on batch %d", batch.seq)
        if not self._by_type:
            return
        for event in batch.events:
            handlers = self._by_type.get((family_of(event.stream), event.type))
            if handlers:
                self._dispatch(event, handlers)

    @staticmethod
    def _dispatch(event: Event, handlers: list[Callable[[Committed[Any]], None]]) -> None:
        try:
            committed: Committed[Any] = Committed(decode(event), event)
        except UnreadableEvent:  # never stops the money: said loudly, and skipped
            _log.exception("%s seq %d cannot be decoded for its handlers", event.stream, event.seq)
            return
        for handler in handlers:
            try:
                handler(committed)
            except Exception:
                _log.exception("a handler of %s failed on %s", event.type, event.stream)
