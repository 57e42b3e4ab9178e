"""The refusals of the accounts use cases (defined in the one tree, :mod:`croupier.domain.errors`).

::

    InvalidRegistration      a registration field is malformed or refused (names it)   422
    EmailTaken               the (normalised) email already has a player               409
    AuthenticationFailed     bad credentials or token; never says which                401
    TooManyAttempts          login limit or lock-out; ``retry_after_s``                429
    TooManyRegistrations     too many registrations from one address                   429
"""

from __future__ import annotations

from croupier.domain.errors import (
    AUTHENTICATION_FAILED_MESSAGE,
    AuthenticationFailed,
    EmailTaken,
    InvalidRegistration,
    TooManyAttempts,
    TooManyRegistrations,
)

__all__ = [
    "AUTHENTICATION_FAILED_MESSAGE",
    "AuthenticationFailed",
    "EmailTaken",
    "InvalidRegistration",
    "TooManyAttempts",
    "TooManyRegistrations",
]
