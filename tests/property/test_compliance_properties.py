"""Limit changes and spin pacing hold for any sequence of requests and times (Hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from croupier.domain.compliance import (
    Limit,
    LimitChangeRules,
    change_limit,
    effective_limit,
    parse_profile,
    spin_wait_ms,
)
from croupier.domain.compliance.profile import EXAMPLE

T0 = datetime(2026, 1, 1, tzinfo=UTC)
amounts = st.none() | st.integers(min_value=0, max_value=10**9)
rules_strategy = st.builds(
    LimitChangeRules,
    increase_cooling_off_hours=st.integers(min_value=0, max_value=24 * 14),
    increase_needs_confirmation=st.just(False),
)
# (minutes after the previous request, requested amount)
requests = st.lists(st.tuples(st.integers(0, 60 * 24 * 10), amounts), max_size=20)


def looser(a: int | None, b: int | None) -> int | None:
    """The looser of two limits (``None``: no limit)."""
    return None if a is None or b is None else max(a, b)


@settings(max_examples=300, deadline=None)
@given(start=amounts, rules=rules_strategy, steps=requests, probe_minutes=st.integers(0, 60 * 24))
def test_a_limit_never_loosens_before_its_cooling_off(
    start: int | None,
    rules: LimitChangeRules,
    steps: list[tuple[int, int | None]],
    probe_minutes: int,
) -> None:
    """At any time the limit in force is no looser than the loosest of: the starting limit
    and each request made at least the cooling-off ago, and every decrease applies at once."""
    cooling_off = timedelta(hours=rules.increase_cooling_off_hours)
    limit, now = Limit(start), T0
    history: list[tuple[datetime, int | None]] = []
    for minutes, requested in steps:
        now += timedelta(minutes=minutes)
        before = effective_limit(limit, rules, now).value_minor
        limit = change_limit(limit, requested, rules, now)
        history.append((now, requested))
        in_force = effective_limit(limit, rules, now).value_minor
        if requested is not None and (before is None or requested <= before):
            assert in_force == requested  # a decrease: at once
        probe = now + timedelta(minutes=probe_minutes)
        bound = start
        for at, value in history:
            if at + cooling_off <= probe:
                bound = looser(bound, value)
        value_at_probe = effective_limit(limit, rules, probe).value_minor
        if bound is not None:
            assert value_at_probe is not None and value_at_probe <= bound


@settings(max_examples=300, deadline=None)
@given(start=st.integers(0, 10**9), increase=st.integers(1, 10**9), rules=rules_strategy)
def test_an_increase_applies_exactly_when_its_cooling_off_ends(
    start: int, increase: int, rules: LimitChangeRules
) -> None:
    raised = change_limit(Limit(start), start + increase, rules, T0)
    ends = T0 + timedelta(hours=rules.increase_cooling_off_hours)
    if rules.increase_cooling_off_hours:
        assert effective_limit(raised, rules, ends - timedelta(microseconds=1)).value_minor == start
    assert effective_limit(raised, rules, ends).value_minor == start + increase


@settings(max_examples=300, deadline=None)
@given(
    interval_ms=st.integers(0, 60_000),
    elapsed_us=st.integers(-(10**8), 10**9),
)
def test_spin_pacing_never_lets_a_spin_through_early_nor_holds_one_back(
    interval_ms: int, elapsed_us: int
) -> None:
    profile = parse_profile(
        {**EXAMPLE, "slots": {**EXAMPLE["slots"], "spin_interval_ms_min": interval_ms}},
        where="property",
    )
    now = T0 + timedelta(microseconds=elapsed_us)
    wait_ms = spin_wait_ms(profile, T0, now)
    assert 0 <= wait_ms <= interval_ms
    elapsed = now - T0
    if elapsed < timedelta(0):  # a clock stepped back: one full interval, no more
        assert wait_ms == interval_ms
        return
    if wait_ms == 0:
        assert elapsed >= timedelta(milliseconds=interval_ms)  # never early
    else:  # and held back no longer than needed, to the millisecond
        assert elapsed + timedelta(milliseconds=wait_ms) >= timedelta(milliseconds=interval_ms)
        assert elapsed + timedelta(milliseconds=wait_ms - 1) < timedelta(milliseconds=interval_ms)
