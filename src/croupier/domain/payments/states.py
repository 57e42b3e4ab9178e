"""The money states of a deposit, a withdrawal and a refund: a pure state machine.

::

    deposit / withdrawal / refund
    ─────────────────────────────
    initiated ──SENT──▶ sent ──ACCEPTED──▶ pending
        ▲                 │ └───LOST────▶ unknown ──(status look-up)──┐
        │                 │                  │                        │
        └──NOT_FOUND──────┴──────────────────┘ (may try the next provider)
                          │
        APPROVED ─────────┴───▶ settled ──CHARGEBACK──▶ reversed   (deposits only)
        DECLINED ─────────────▶ failed     (the reservation is voided: funds return)
        GIVE_UP  (pending/unknown/sent after N look-ups) ─▶ review
        review: APPROVED ▶ settled, DECLINED ▶ failed (a late answer, or staff)

A final state (``settled``, ``failed``, ``reversed``) never leaves for another except a
settled deposit's chargeback. Every transition is idempotent: the event that led to the
current state, applied again, changes nothing (``changed`` False). An answer that contradicts
a final state (``DECLINED`` after ``settled``) changes nothing either and is reported as a
``conflict`` for review: money that moved is never moved back by a late or forged notice.

>>> step = advance(State.SENT, Event.APPROVED, kind=Kind.DEPOSIT)
>>> step.state, step.changed
(<State.SETTLED: 'settled'>, True)
>>> again = advance(step.state, Event.APPROVED, kind=Kind.DEPOSIT)
>>> again.state, again.changed, again.conflict
(<State.SETTLED: 'settled'>, False, False)
>>> advance(step.state, Event.DECLINED, kind=Kind.DEPOSIT).conflict
True
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["FINAL", "Event", "Kind", "State", "Step", "TransitionRefused", "advance"]


class Kind(StrEnum):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    REFUND = "refund"


class State(StrEnum):
    #: Recorded on the ledger (the intent or reservation), at no provider yet (or at none now:
    #: the last one proved it never took it).
    INITIATED = "initiated"
    #: An attempt is recorded and the provider is being called.
    SENT = "sent"
    #: The provider accepted; the answer comes by webhook or look-up.
    PENDING = "pending"
    #: No answer we can trust: the money may have moved at the provider of the attempt.
    UNKNOWN = "unknown"
    SETTLED = "settled"
    FAILED = "failed"
    #: A settled deposit taken back by a chargeback.
    REVERSED = "reversed"
    #: The poller gave up: staff decide (the reservation stays: nothing is lost meanwhile).
    REVIEW = "review"


class Event(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    LOST = "lost"
    NOT_FOUND = "not_found"
    APPROVED = "approved"
    DECLINED = "declined"
    GIVE_UP = "give_up"
    CHARGEBACK = "chargeback"


FINAL = frozenset({State.SETTLED, State.FAILED, State.REVERSED})
#: Where the outcome is open at a provider.
_OUT = frozenset({State.SENT, State.PENDING, State.UNKNOWN})


class TransitionRefused(ValueError):
    """The event cannot apply to the state (a programming error or a forged notice)."""


@dataclass(frozen=True, slots=True)
class Step:
    state: State
    #: Whether the state changed: only a changed step moves money.
    changed: bool
    #: The event contradicts a final state (kept for review, applied to nothing).
    conflict: bool = False


def advance(state: State, event: Event, *, kind: Kind) -> Step:
    """The state after ``event``; ``TransitionRefused`` when it cannot apply at all."""
    if event in (Event.APPROVED, Event.DECLINED):
        return _answer(state, event)
    if event is Event.CHARGEBACK:
        return _chargeback(state, kind)
    if state in FINAL or state is State.REVIEW:
        # A late "accepted", "lost" or "not found" after the outcome is known says nothing new.
        if event in (Event.ACCEPTED, Event.LOST, Event.NOT_FOUND, Event.GIVE_UP):
            return Step(state, changed=False)
        raise TransitionRefused(f"{event} cannot follow {state}")
    target = _OPEN_MOVES.get((state, event))
    if target is None:
        if _repeat(state, event):
            return Step(state, changed=False)
        raise TransitionRefused(f"{event} cannot follow {state}")
    return Step(target, changed=True)


_OPEN_MOVES = {
    (State.INITIATED, Event.SENT): State.SENT,
    (State.SENT, Event.ACCEPTED): State.PENDING,
    (State.SENT, Event.LOST): State.UNKNOWN,
    (State.UNKNOWN, Event.ACCEPTED): State.PENDING,
    (State.SENT, Event.NOT_FOUND): State.INITIATED,
    (State.UNKNOWN, Event.NOT_FOUND): State.INITIATED,
    (State.PENDING, Event.NOT_FOUND): State.INITIATED,
    (State.SENT, Event.GIVE_UP): State.REVIEW,
    (State.PENDING, Event.GIVE_UP): State.REVIEW,
    (State.UNKNOWN, Event.GIVE_UP): State.REVIEW,
}


def _repeat(state: State, event: Event) -> bool:
    """A duplicate of the event that led here (a look-up repeating "pending")."""
    return (state, event) in {
        (State.PENDING, Event.ACCEPTED),
        (State.UNKNOWN, Event.LOST),
        (State.PENDING, Event.LOST),  # a look-up that failed says nothing against "accepted"
        (State.INITIATED, Event.NOT_FOUND),
        (State.SENT, Event.SENT),  # the same attempt again (a request repeated after a crash)
    }


def _answer(state: State, event: Event) -> Step:
    outcome = State.SETTLED if event is Event.APPROVED else State.FAILED
    if state in _OUT or state is State.REVIEW:
        return Step(outcome, changed=True)
    if state is State.INITIATED:
        # No attempt is open: an answer for a reference we hold as not sent is not ours to
        # apply (a provider proved NOT_FOUND before; a later success would be a bug there).
        return Step(state, changed=False, conflict=True)
    if state is outcome or (state is State.REVERSED and outcome is State.SETTLED):
        return Step(state, changed=False)
    return Step(state, changed=False, conflict=True)


def _chargeback(state: State, kind: Kind) -> Step:
    if kind is not Kind.DEPOSIT:
        raise TransitionRefused(f"a chargeback applies to a deposit, not a {kind}")
    if state is State.SETTLED:
        return Step(State.REVERSED, changed=True)
    if state is State.REVERSED:
        return Step(state, changed=False)
    return Step(state, changed=False, conflict=True)
