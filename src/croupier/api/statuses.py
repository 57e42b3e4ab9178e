"""Which HTTP status each refusal maps to: one table for the HTTP API's problem documents and
the WebSocket gateway's error frames, so a client sees the same code and status on both.

Classes, not codes: every refusal is a class of the one tree in :mod:`croupier.domain.errors`,
whose docstring shows each class with its status.
"""

from __future__ import annotations

from croupier.domain import errors

__all__ = ["status_for"]

# Most specific class first: the first match wins.
_STATUS_BY_ERROR: tuple[tuple[type[errors.CroupierError], int], ...] = (
    (errors.UnknownGame, 404),
    (errors.InvalidInput, 422),
    (errors.AccountNotFound, 404),
    (errors.LedgerRefusal, 409),
    (errors.StateConflict, 409),
    (errors.NotFound, 404),
    (errors.AuthenticationFailed, 401),
    (errors.Forbidden, 403),
    (errors.PaymentDeclined, 402),
    (errors.GeoBlocked, 451),
    (errors.TooManyAttempts, 429),
    (errors.SpinTooFast, 429),
    (errors.Unavailable, 503),
    (errors.InvariantBroken, 500),
)


def status_for(error: errors.CroupierError) -> int:
    for error_class, status in _STATUS_BY_ERROR:
        if isinstance(error, error_class):
            return status
    return 400
