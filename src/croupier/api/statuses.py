"""Which HTTP status each refusal maps to: one table for the HTTP API's problem documents and
the WebSocket gateway's error frames, so a client sees the same code and status on both."""

from __future__ import annotations

from croupier.domain import errors

__all__ = ["status_for"]

# Most specific class first: the first match wins.
_STATUS_BY_ERROR: tuple[tuple[type[errors.CroupierError], int], ...] = (
    (errors.UnknownGame, 404),
    (errors.AccountNotFound, 404),
    (errors.InvalidInput, 422),
    (errors.IdempotencyConflict, 409),
    (errors.AccountConflict, 409),
    (errors.InsufficientFunds, 409),
    (errors.PendingAlreadyResolved, 409),
    (errors.LedgerRefusal, 409),
    (errors.Busy, 503),
)
#: Codes of errors defined outside ``domain.errors`` (by services), with their statuses.
_STATUS_BY_CODE: dict[str, int] = {
    "idempotency-key-missing": 400,
    "payment-declined": 402,
    "authentication-failed": 401,
    "forbidden": 403,
    "not-found": 404,
    "email-taken": 409,
    "client-seed-locked": 409,
    "round-in-progress": 409,
    "stream-conflict": 409,
    "too-many-attempts": 429,
    "too-many-registrations": 429,
    "ledger-unavailable": 503,
    "writer-locked": 503,
}


def status_for(error: errors.CroupierError) -> int:
    code_status = _STATUS_BY_CODE.get(error.code)
    if code_status is not None:
        return code_status
    for error_class, status in _STATUS_BY_ERROR:
        if isinstance(error, error_class):
            return status
    return 400
