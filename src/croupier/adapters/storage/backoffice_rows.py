"""Row encodings of the back office's tables (``0011_backoffice.sql``), shared by the SQLite
and PostgreSQL adapters: one place that knows their column order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from croupier.services.backoffice.ports import (
    Adjustment,
    AdjustmentState,
    Direction,
    GameSwitch,
    PlayerControl,
    PlayerStatus,
    ReviewState,
    WithdrawalReview,
)

__all__ = [
    "ADJUSTMENT_COLUMNS",
    "CONTROL_COLUMNS",
    "REVIEW_COLUMNS",
    "SWITCH_COLUMNS",
    "adjustment_from_row",
    "adjustment_row",
    "control_from_row",
    "control_row",
    "decision_assignments",
    "review_from_row",
    "review_row",
    "switch_from_row",
]

CONTROL_COLUMNS: Final = "player_id, status, flags, reason, updated_by, updated_at_ms"
ADJUSTMENT_COLUMNS: Final = (
    "request_id, player_id, direction, amount_minor, currency, reason_code, note, "
    "requested_by, requested_at_ms, state, decided_by, decided_at_ms, decision_reason, "
    "transfer_id"
)
REVIEW_COLUMNS: Final = (
    "intent_id, player_id, amount_minor, currency, requested_at_ms, state, decided_by, "
    "decided_at_ms, decision_reason"
)
SWITCH_COLUMNS: Final = "game_id, enabled, reason, updated_by, updated_at_ms"


def control_row(control: PlayerControl) -> tuple[Any, ...]:
    flags = ",".join(sorted(control.flags))
    return (
        control.player_id,
        control.status.value,
        flags,
        control.reason,
        control.updated_by,
        control.updated_at_ms,
    )


def control_from_row(row: Any) -> PlayerControl:
    flags = frozenset(flag for flag in str(row[2]).split(",") if flag)
    return PlayerControl(row[0], PlayerStatus(row[1]), flags, row[3], row[4], int(row[5]))


def adjustment_row(adjustment: Adjustment) -> tuple[Any, ...]:
    a = adjustment
    return (
        a.request_id,
        a.player_id,
        a.direction.value,
        a.amount_minor,
        a.currency,
        a.reason_code,
        a.note,
        a.requested_by,
        a.requested_at_ms,
        a.state.value,
        a.decided_by,
        a.decided_at_ms,
        a.decision_reason,
        a.transfer_id,
    )


def adjustment_from_row(row: Any) -> Adjustment:
    return Adjustment(
        request_id=row[0],
        player_id=row[1],
        direction=Direction(row[2]),
        amount_minor=int(row[3]),
        currency=row[4],
        reason_code=row[5],
        note=row[6],
        requested_by=row[7],
        requested_at_ms=int(row[8]),
        state=AdjustmentState(row[9]),
        decided_by=row[10],
        decided_at_ms=None if row[11] is None else int(row[11]),
        decision_reason=row[12],
        transfer_id=row[13],
    )


def review_row(review: WithdrawalReview) -> tuple[Any, ...]:
    r = review
    return (
        r.intent_id,
        r.player_id,
        r.amount_minor,
        r.currency,
        r.requested_at_ms,
        r.state.value,
        r.decided_by,
        r.decided_at_ms,
        r.decision_reason,
    )


def review_from_row(row: Any) -> WithdrawalReview:
    return WithdrawalReview(
        intent_id=row[0],
        player_id=row[1],
        amount_minor=int(row[2]),
        currency=row[3],
        requested_at_ms=int(row[4]),
        state=ReviewState(row[5]),
        decided_by=row[6],
        decided_at_ms=None if row[7] is None else int(row[7]),
        decision_reason=row[8],
    )


def switch_from_row(row: Any) -> GameSwitch:
    return GameSwitch(row[0], bool(row[1]), row[2], row[3], int(row[4]))


def decision_assignments(
    to_state: str,
    fields: Mapping[str, object | None],
    placeholder: Iterable[str],
) -> tuple[str, list[object]]:
    """``SET`` text and its values for a decision: the state, and each field given.

    ``placeholder`` yields the parameter markers in order (``?`` for SQLite, ``$n`` for
    PostgreSQL); the column names come from this module, never from input."""
    markers = iter(placeholder)
    parts = [f"state = {next(markers)}"]
    values: list[object] = [to_state]
    for column, value in fields.items():
        if value is not None:
            parts.append(f"{column} = {next(markers)}")
            values.append(value)
    return ", ".join(parts), values
