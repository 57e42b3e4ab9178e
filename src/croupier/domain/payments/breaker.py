"""A circuit breaker per payment provider: a small state machine on an injected clock.

::

    closed ──(failures_max failures in a row)──▶ open
      ▲                                            │ (open_ms pass)
      │                                            ▼
      └──────────(a call succeeds)────────── half-open ──(a call fails)──▶ open

A *failure* is a call whose outcome is unknown (timeout, 5xx, connection lost); a decline is
an answer, not a failure. While open, the router sends new payments elsewhere; after
``open_ms`` one trial goes through (half-open) and its result closes or re-opens the circuit.
Written here rather than taken from a library: it is thirty lines, pure, and the libraries
on PyPI (pybreaker, aiobreaker) keep their own wall clock and global state.

>>> breaker = Breaker(failures_max=2, open_ms=1_000)
>>> breaker.failed(0); breaker.failed(10); breaker.allows(20)
False
>>> breaker.allows(1_010), breaker.state
(True, 'half-open')
>>> breaker.succeeded(); breaker.state
'closed'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Breaker"]


@dataclass
class Breaker:
    failures_max: int = 3
    open_ms: int = 30_000
    failures: int = 0
    opened_at_ms: int | None = None
    trial: bool = False

    def __post_init__(self) -> None:
        if self.failures_max < 1 or self.open_ms < 1:
            raise ValueError("a breaker needs failures_max >= 1 and open_ms >= 1")

    @property
    def state(self) -> str:
        if self.opened_at_ms is None:
            return "closed"
        return "half-open" if self.trial else "open"

    def ready(self, now_ms: int) -> bool:
        """Whether :meth:`allows` would say yes (changes nothing)."""
        if self.opened_at_ms is None:
            return True
        return not self.trial and now_ms >= self.opened_at_ms + self.open_ms

    def allows(self, now_ms: int) -> bool:
        """Whether a new payment may be sent now (half-open: one trial at a time)."""
        if not self.ready(now_ms):
            return False
        if self.opened_at_ms is not None:
            self.trial = True
        return True

    def succeeded(self) -> None:
        self.failures, self.opened_at_ms, self.trial = 0, None, False

    def failed(self, now_ms: int) -> None:
        self.failures += 1
        if self.trial or self.failures >= self.failures_max:
            self.opened_at_ms, self.trial = now_ms, False
