"""The payment state machine under any order, duplication and mix of provider answers and
webhooks: one final state, the provider's truth, reached once; money moves only on a changed
step, so it never settles twice."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from croupier.domain.payments.states import (
    FINAL,
    Event,
    Kind,
    State,
    TransitionRefused,
    advance,
)

_TRUTHS = st.sampled_from([Event.APPROVED, Event.DECLINED])
_NOISE = st.sampled_from([Event.ACCEPTED, Event.LOST])
_KINDS = st.sampled_from(list(Kind))


def _run(kind: Kind, events: list[Event]) -> tuple[State, int, int]:
    """The final state, how many steps settled and how many failed."""
    state, settled, failed = State.INITIATED, 0, 0
    for event in events:
        try:
            step = advance(state, event, kind=kind)
        except TransitionRefused:
            continue
        if step.changed and step.state is State.SETTLED:
            settled += 1
        if step.changed and step.state is State.FAILED:
            failed += 1
        state = step.state
    return state, settled, failed


@given(
    kind=_KINDS,
    truth=_TRUTHS,
    answers=st.lists(st.one_of(_NOISE, st.just(Event.APPROVED)), max_size=12),
    copies=st.integers(min_value=1, max_value=4),
    data=st.data(),
)
def test_any_order_of_the_truth_and_noise_ends_in_the_truth_once(
    kind: Kind, truth: Event, answers: list[Event], copies: int, data: st.DataObject
) -> None:
    noise = [Event.LOST if a is Event.APPROVED else a for a in answers]
    shuffled = data.draw(st.permutations([*noise, *[truth] * copies]))
    state, settled, failed = _run(kind, [Event.SENT, *shuffled])
    expected = State.SETTLED if truth is Event.APPROVED else State.FAILED
    assert state is expected
    assert (settled, failed) == ((1, 0) if expected is State.SETTLED else (0, 1))


@given(kind=_KINDS, events=st.lists(st.sampled_from(list(Event)), max_size=30))
def test_no_sequence_settles_twice_or_leaves_a_final_state_but_by_chargeback(
    kind: Kind, events: list[Event]
) -> None:
    state = State.INITIATED
    settled = 0
    for event in events:
        try:
            step = advance(state, event, kind=kind)
        except TransitionRefused:
            continue
        if step.changed and step.state is State.SETTLED:
            settled += 1
        if state in FINAL and step.state is not state:
            assert (state, step.state, kind) == (State.SETTLED, State.REVERSED, Kind.DEPOSIT)
        if step.conflict:
            assert not step.changed
        state = step.state
    assert settled <= 1


@given(kind=_KINDS, events=st.lists(st.sampled_from(list(Event)), max_size=20))
def test_every_step_applied_twice_changes_nothing_the_second_time(
    kind: Kind, events: list[Event]
) -> None:
    state = State.INITIATED
    for event in events:
        try:
            step = advance(state, event, kind=kind)
        except TransitionRefused:
            continue
        if step.changed and event is not Event.NOT_FOUND:
            assert not advance(step.state, event, kind=kind).changed
        state = step.state
