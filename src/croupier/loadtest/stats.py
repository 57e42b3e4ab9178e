"""Latency samples and error counts, and the figures made from them."""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Latencies", "LatencySummary", "Tally"]


@dataclass(frozen=True, slots=True)
class LatencySummary:
    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float

    def as_dict(self, prefix: str = "") -> dict[str, float | int]:
        return {
            f"{prefix}count": self.count,
            f"{prefix}p50_ms": round(self.p50_ms, 3),
            f"{prefix}p95_ms": round(self.p95_ms, 3),
            f"{prefix}p99_ms": round(self.p99_ms, 3),
            f"{prefix}max_ms": round(self.max_ms, 3),
            f"{prefix}mean_ms": round(self.mean_ms, 3),
        }


class Latencies:
    """Latency samples in nanoseconds: cheap to append from a frame callback."""

    def __init__(self) -> None:
        self._ns = array("q")

    def add(self, nanoseconds: int) -> None:
        self._ns.append(nanoseconds)

    def __len__(self) -> int:
        return len(self._ns)

    def milliseconds(self) -> npt.NDArray[np.float64]:
        return np.frombuffer(self._ns, dtype=np.int64).astype(np.float64) / 1e6

    def summary(self) -> LatencySummary:
        ms = self.milliseconds()
        if ms.size == 0:
            return LatencySummary(0, 0.0, 0.0, 0.0, 0.0, 0.0)
        p50, p95, p99 = np.percentile(ms, [50, 95, 99])
        return LatencySummary(
            int(ms.size), float(p50), float(p95), float(p99), float(ms.max()), float(ms.mean())
        )


class Tally:
    """What a run's requests came to: answers with their latency, errors by code."""

    def __init__(self) -> None:
        self.latencies = Latencies()
        self.errors: Counter[str] = Counter()
        self.sent = 0

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def answered(self) -> int:
        return self.ok + self.errors.total()

    def error(self, code: str) -> None:
        self.errors[code] += 1

    def close_unanswered(self) -> None:
        """Count every request still without an answer as ``no-answer``."""
        missing = self.sent - self.answered
        if missing > 0:
            self.errors["no-answer"] += missing
