"""Every request's outcome on one clock, and the figures of one kill's span of it.

A sample is one HTTP attempt: when it started and ended (``time.monotonic``) and whether it
succeeded. An attempt that failed or took longer than ``slow_s`` is *bad*; the run sets
``slow_s`` from the baseline (a few times its p99, at least ``--slow``), so that a loaded
machine's ordinary tail does not count as an outage. For one kill:

- the **error window** runs from the first bad attempt's start to the last bad one's end;
- **p99** is over the attempts that started inside that window (or in the first seconds after
  the kill when nothing went bad);
- **recovery** is the time from the kill until the errors have stopped and throughput is back
  near its baseline (the first second-long span after the last bad attempt whose successful
  requests reach ``RECOVERED_SHARE`` of the baseline rate).
"""

from __future__ import annotations

import time
from array import array
from dataclasses import dataclass

import numpy as np

__all__ = ["KillFigures", "Timeline"]

RECOVERED_SHARE = 0.8  # throughput at least this share of the baseline: recovered
SLOW_S_DEFAULT = 1.0
RATE_SPAN_S = 1.0


@dataclass(frozen=True, slots=True)
class KillFigures:
    component: str
    target: str
    errors: int
    error_window_s: float
    p99_ms: float
    errors_stopped_s: float  # from the kill to the end of the last bad attempt (0: none)
    recovery_s: float | None  # None: not recovered before the phase's deadline

    def as_dict(self) -> dict[str, object]:
        return {
            "component": self.component,
            "target": self.target,
            "errors": self.errors,
            "error_window_s": round(self.error_window_s, 3),
            "p99_ms": round(self.p99_ms, 1),
            "errors_stopped_s": round(self.errors_stopped_s, 3),
            "recovery_s": None if self.recovery_s is None else round(self.recovery_s, 3),
        }


class Timeline:
    def __init__(self, slow_s: float = SLOW_S_DEFAULT) -> None:
        self.slow_s = slow_s
        self._start = array("d")
        self._end = array("d")
        self._ok = array("b")

    def add(self, started: float, ended: float, ok: bool) -> None:
        self._start.append(started)
        self._end.append(ended)
        self._ok.append(1 if ok else 0)

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = len(self._ok)  # a consistent prefix: appends may go on while we read
        start = np.frombuffer(self._start, dtype=np.float64, count=n).copy()
        end = np.frombuffer(self._end, dtype=np.float64, count=n).copy()
        ok = np.frombuffer(self._ok, dtype=np.int8, count=n).astype(bool)
        return start, end, ok

    def _bad(self, start: np.ndarray, end: np.ndarray, ok: np.ndarray) -> np.ndarray:
        bad: np.ndarray = ~ok | ((end - start) > self.slow_s)
        return bad

    def p99_s(self, since: float, until: float) -> float:
        """The p99 latency of the attempts that started in ``[since, until)``."""
        start, end, _ = self._arrays()
        span = (start >= since) & (start < until)
        return float(np.percentile(end[span] - start[span], 99)) if span.any() else 0.0

    def rate(self, since: float, until: float) -> float:
        """Good (successful, not slow) requests per second that ended in ``[since, until)``."""
        return _rate(self._good_ends(), since, until)

    def _good_ends(self) -> np.ndarray:
        start, end, ok = self._arrays()
        good: np.ndarray = np.sort(end[ok & ~self._bad(start, end, ok)])
        return good

    def last_bad(self, since: float) -> float | None:
        """When the last bad attempt that started after ``since`` ended, if any."""
        start, end, ok = self._arrays()
        bad = self._bad(start, end, ok) & (start >= since)
        return float(end[bad].max()) if bad.any() else None

    def recovered(self, killed_at: float, baseline: float, now: float | None = None) -> bool:
        """The errors stopped and the last second's throughput is near the baseline."""
        now = time.monotonic() if now is None else now
        last = self.last_bad(killed_at)
        if now - killed_at < RATE_SPAN_S or (last is not None and now - last < RATE_SPAN_S):
            return False
        return self.rate(now - RATE_SPAN_S, now) >= RECOVERED_SHARE * baseline

    def figures(
        self, component: str, target: str, killed_at: float, until: float, baseline: float
    ) -> KillFigures:
        start, end, ok = self._arrays()
        span = (start >= killed_at) & (start < until)
        bad = self._bad(start, end, ok) & span
        if bad.any():
            first, last = float(start[bad].min()), float(end[bad].max())
            window = span & (start >= first) & (start <= last)
        else:
            first = last = killed_at
            window = span & (start < killed_at + 5.0)
        latencies = (end[window] - start[window]) * 1000.0
        p99 = float(np.percentile(latencies, 99)) if latencies.size else 0.0
        return KillFigures(
            component=component,
            target=target,
            errors=int(bad.sum()),
            error_window_s=last - first,
            p99_ms=p99,
            errors_stopped_s=(last - killed_at) if bad.any() else 0.0,
            recovery_s=self._recovery(killed_at, until, baseline, last if bad.any() else None),
        )

    def _recovery(
        self, killed_at: float, until: float, baseline: float, last_bad: float | None
    ) -> float | None:
        """From the kill to the start of the first second, after the last bad attempt, whose
        throughput is near the baseline (0: nothing went bad and throughput held)."""
        ends = self._good_ends()
        t = max(killed_at, last_bad or killed_at)
        while t + RATE_SPAN_S <= until:
            if _rate(ends, t, t + RATE_SPAN_S) >= RECOVERED_SHARE * baseline:
                return t - killed_at
            t += 0.05
        return None


def _rate(sorted_ends: np.ndarray, since: float, until: float) -> float:
    count = np.searchsorted(sorted_ends, until) - np.searchsorted(sorted_ends, since)
    return float(count) / max(until - since, 1e-9)
