"""What the sandbox does next: behaviours queued by tests through ``POST /_script``.

A behaviour applies to the next ``times`` requests that match it (``None``: until
``POST /_script/clear``), or only to requests for one ``reference``; a behaviour for a
reference wins over a general one, and older behaviours go first.

Request actions (charge, payout, refund; add ``"status"`` to ``operations`` to script look-ups):

=============== ==========================================================================
``approve``     apply and answer approved (the default with no script)
``decline``     record as declined (``reason``) and answer so
``pending``     answer pending; settle after ``settle_after_ms`` as ``settle_as``
                (``null``: wait for ``POST /_settle``), then send the webhook
``slow``        like ``approve``, after ``delay_ms``; every action takes ``delay_ms``
``hang``        apply (unless ``"apply": false``), then never answer: the client times out
``error``       answer ``status_code`` (503) without applying; ``"apply": true`` applies first
``lose_answer`` apply, then drop the connection mid-answer (``"how": "abort"``) or answer 502
                (``"how": "502"``): the outcome is known only by webhook or look-up
=============== ==========================================================================

Webhook actions (match events by ``reference`` and ``kinds``):

=============== ==========================================================================
``duplicate``   deliver the event ``copies`` times (2), each with the same event id
``reorder``     hold the event until another event is delivered (or ``hold_max_ms``)
``delay``       wait ``delay_ms`` before the first attempt
``drop``        never deliver it (only the look-up tells)
=============== ==========================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "REQUEST_ACTIONS",
    "WEBHOOK_ACTIONS",
    "Behaviour",
    "Script",
    "ScriptError",
    "parse_behaviour",
]

REQUEST_ACTIONS = frozenset(
    {"approve", "decline", "pending", "slow", "hang", "error", "lose_answer"}
)
WEBHOOK_ACTIONS = frozenset({"duplicate", "reorder", "delay", "drop"})
_OPERATIONS = frozenset({"charge", "payout", "refund", "status"})
_DEFAULT_OPERATIONS = frozenset({"charge", "payout", "refund"})
#: A bound on every number a test may script: a typo must not park the sandbox for a day.
_DELAY_MS_MAX = 120_000


class ScriptError(ValueError):
    """A behaviour the sandbox cannot follow (answered 400)."""


@dataclass(slots=True)
class Behaviour:
    action: str
    times: int | None = 1
    reference: str | None = None
    operations: frozenset[str] = _DEFAULT_OPERATIONS
    kinds: frozenset[str] = frozenset()
    delay_ms: int = 0
    reason: str = "declined by the sandbox"
    settle_after_ms: int | None = 50
    settle_as: str = "approved"
    apply: bool | None = None
    status_code: int = 503
    how: str = "abort"
    copies: int = 2
    hold_max_ms: int = 5_000

    @property
    def for_webhooks(self) -> bool:
        return self.action in WEBHOOK_ACTIONS

    @property
    def applies(self) -> bool:
        """Whether the payment is applied before the (missing or broken) answer."""
        if self.action not in {"hang", "error", "lose_answer"}:
            return True
        if self.apply is not None:
            return self.apply
        return self.action != "error"


def _int(raw: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ScriptError(f"{name} must be an integer from {low} to {high}")
    return value


def parse_behaviour(raw: Mapping[str, Any]) -> Behaviour:
    """A behaviour from its JSON; ``ScriptError`` names what is wrong."""
    action = raw.get("action")
    if action not in REQUEST_ACTIONS | WEBHOOK_ACTIONS:
        known = ", ".join(sorted(REQUEST_ACTIONS | WEBHOOK_ACTIONS))
        raise ScriptError(f"action must be one of {known}")
    times = raw.get("times", 1)
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise ScriptError("times must be a positive integer or null (until cleared)")
    operations = frozenset(raw.get("operations", _DEFAULT_OPERATIONS))
    if not operations or not operations <= _OPERATIONS:
        raise ScriptError(f"operations must be among {sorted(_OPERATIONS)}")
    settle_after = raw.get("settle_after_ms", 50)
    if settle_after is not None:
        settle_after = _int(raw, "settle_after_ms", 50, 0, _DELAY_MS_MAX)
    settle_as = raw.get("settle_as", "approved")
    if settle_as not in {"approved", "declined"}:
        raise ScriptError("settle_as must be approved or declined")
    how = raw.get("how", "abort")
    if how not in {"abort", "502"}:
        raise ScriptError('how must be "abort" or "502"')
    apply = raw.get("apply")
    if apply is not None and not isinstance(apply, bool):
        raise ScriptError("apply must be true or false")
    reference = raw.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise ScriptError("reference must be a string")
    return Behaviour(
        action=action,
        times=times,
        reference=reference,
        operations=operations,
        kinds=frozenset(raw.get("kinds", ())),
        delay_ms=_int(raw, "delay_ms", 0, 0, _DELAY_MS_MAX),
        reason=str(raw.get("reason", "declined by the sandbox")),
        settle_after_ms=settle_after,
        settle_as=settle_as,
        apply=apply,
        status_code=_int(raw, "status_code", 503, 500, 599),
        how=how,
        copies=_int(raw, "copies", 2, 1, 10),
        hold_max_ms=_int(raw, "hold_max_ms", 5_000, 0, _DELAY_MS_MAX),
    )


class Script:
    """The queued behaviours, consumed as requests and events match them."""

    def __init__(self) -> None:
        self._behaviours: list[Behaviour] = []

    def add(self, behaviour: Behaviour) -> None:
        self._behaviours.append(behaviour)

    def clear(self) -> None:
        self._behaviours.clear()

    def pending(self) -> list[Behaviour]:
        return list(self._behaviours)

    def next_for_request(self, operation: str, reference: str) -> Behaviour | None:
        return self._take(lambda b: not b.for_webhooks and operation in b.operations, reference)

    def next_for_event(self, kind: str, reference: str) -> Behaviour | None:
        return self._take(lambda b: b.for_webhooks and (not b.kinds or kind in b.kinds), reference)

    def _take(self, fits: Any, reference: str) -> Behaviour | None:
        candidates = [b for b in self._behaviours if fits(b) and b.reference in {None, reference}]
        # One for this very reference first, then the oldest general one.
        chosen = next((b for b in candidates if b.reference == reference), None)
        if chosen is None and candidates:
            chosen = candidates[0]
        if chosen is None:
            return None
        if chosen.times is not None:
            chosen.times -= 1
            if chosen.times == 0:
                self._behaviours.remove(chosen)
        return chosen
