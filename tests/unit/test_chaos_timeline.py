"""The chaos run's figures from a timeline of attempts (src/croupier/chaos/timeline.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from croupier.chaos.timeline import Timeline


def _steady(timeline: Timeline, since: float, until: float, per_s: int = 100) -> None:
    """Good attempts of 10 ms, ``per_s`` a second, from ``since`` to ``until``."""
    t = since
    while t < until:
        timeline.add(t, t + 0.01, True)
        t += 1 / per_s


def test_an_outage_gives_its_window_p99_and_recovery() -> None:
    timeline = Timeline(slow_s=1.0)
    _steady(timeline, 0.0, 10.0)
    timeline.add(10.5, 10.6, False)  # the first failure, half a second after the kill
    timeline.add(11.0, 13.0, True)  # slow: bad too
    timeline.add(13.0, 13.5, False)  # the last failure
    _steady(timeline, 13.5, 20.0)
    figures = timeline.figures("writer-active", "writer-1", 10.0, 20.0, baseline=100.0)
    assert figures.errors == 3
    assert abs(figures.error_window_s - 3.0) < 1e-9  # 10.5 → 13.5
    assert abs(figures.errors_stopped_s - 3.5) < 1e-9
    assert figures.p99_ms > 1000  # the slow attempt is inside the window
    assert figures.recovery_s is not None and 3.5 <= figures.recovery_s < 4.0


def test_no_error_and_full_throughput_is_recovered_at_once() -> None:
    timeline = Timeline()
    _steady(timeline, 0.0, 20.0)
    figures = timeline.figures("nats-1", "nats-1", 10.0, 20.0, baseline=100.0)
    assert figures.errors == 0 and figures.error_window_s == 0.0
    assert figures.recovery_s == 0.0
    assert timeline.recovered(10.0, 100.0, now=12.0)


def test_throughput_under_the_baseline_is_not_recovered() -> None:
    timeline = Timeline()
    _steady(timeline, 0.0, 10.0, per_s=100)
    _steady(timeline, 10.0, 20.0, per_s=50)  # half the capacity is gone
    figures = timeline.figures("gateway-1", "gateway-1", 10.0, 20.0, baseline=100.0)
    assert figures.errors == 0 and figures.recovery_s is None
    assert not timeline.recovered(10.0, 100.0, now=15.0)


@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 5), st.booleans()), max_size=200))
def test_the_error_window_holds_every_bad_attempt(
    attempts: list[tuple[float, float, bool]],
) -> None:
    timeline = Timeline(slow_s=1.0)
    for start, took, ok in attempts:
        timeline.add(start, start + took, ok)
    figures = timeline.figures("x", "x", 0.0, 200.0, baseline=1.0)
    bad = [(s, s + d) for s, d, ok in attempts if not ok or d > 1.0]
    assert figures.errors == len(bad)
    if bad:
        first, last = min(s for s, _ in bad), max(e for _, e in bad)
        assert abs(figures.error_window_s - (last - first)) < 1e-6
    else:
        assert figures.error_window_s == 0.0
