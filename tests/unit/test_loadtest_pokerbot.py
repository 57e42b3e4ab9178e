"""The load-test bots' strategy plays only what the table offers: a check only with nothing
to call, a fold only when folding is allowed, a bet or raise only within the table's range."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from croupier.loadtest.pokerbot import Decision, choose


@st.composite
def choices(draw: st.DrawFn) -> dict[str, object]:
    call = draw(st.sampled_from([0, draw(st.integers(1, 50_000))]))
    low = draw(st.none() | st.integers(1, 100_000))
    high = None if low is None else draw(st.integers(1, 100_000))
    return {
        "can_fold": call > 0 or draw(st.booleans()),
        "call_minor": call,
        "min_raise_to_minor": low,
        "max_raise_to_minor": high,
    }


@given(choices(), st.integers(0, 100_000), st.integers(1, 1_000), st.floats(0, 1, exclude_max=True))
def test_the_bot_only_chooses_legal_actions(
    offered: dict[str, object], stack: int, big_blind: int, draw: float
) -> None:
    decision = choose(offered, stack, big_blind, draw)
    call, low, high = (
        offered["call_minor"],
        offered["min_raise_to_minor"],
        offered["max_raise_to_minor"],
    )
    assert decision.action in ("fold", "check", "call", "bet", "raise")
    if decision.action == "check":
        assert call == 0
    if decision.action == "call":
        assert call != 0
    if decision.action == "fold":
        assert offered["can_fold"] and call != 0  # never folds a free check
    if decision.action in ("bet", "raise"):
        assert low is not None and high is not None
        assert decision.amount_minor == min(low, high)  # type: ignore[call-overload]
        assert (decision.action == "bet") == (call == 0)
    else:
        assert decision.amount_minor is None


def test_the_bot_mostly_checks_and_calls_and_folds_to_big_bets() -> None:
    free = {
        "can_fold": False,
        "call_minor": 0,
        "min_raise_to_minor": 200,
        "max_raise_to_minor": 9_000,
    }
    assert choose(free, 9_000, 100, 0.5) == Decision("check")
    assert choose(free, 9_000, 100, 0.1) == Decision("bet", 200)
    small = free | {"can_fold": True, "call_minor": 100}
    assert choose(small, 9_000, 100, 0.5) == Decision("call")
    assert choose(small, 9_000, 100, 0.95) == Decision("raise", 200)
    big = small | {"call_minor": 5_000}
    assert choose(big, 9_000, 100, 0.5) == Decision("fold")
    assert choose(big, 9_000, 100, 0.7) == Decision("call")
    frame = Decision("raise", 200).frame("r1", "t-1")
    assert frame == {
        "type": "table.act",
        "request_id": "r1",
        "table_id": "t-1",
        "action": "raise",
        "amount_minor": 200,
    }
