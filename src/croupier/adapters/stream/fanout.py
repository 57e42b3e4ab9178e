"""Live delivery to this process's subscribers, by stream family (shared by every adapter)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from croupier.services.stream import Handler, StreamEvent, family_of

__all__ = ["Fanout"]

_log = logging.getLogger("croupier.stream")


class Fanout:
    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = {}

    def subscribe(self, family: str, handler: Handler) -> Callable[[], None]:
        handlers = self._handlers.setdefault(family, [])
        handlers.append(handler)

        def unsubscribe() -> None:
            if handler in handlers:
                handlers.remove(handler)

        return unsubscribe

    def deliver(self, event: StreamEvent) -> None:
        for handler in self._handlers.get(family_of(event.stream), ()):
            try:
                handler(event)
            except Exception:  # one subscriber's bug must not starve the others
                _log.exception("a stream subscriber failed on %s#%d", event.stream, event.seq)
