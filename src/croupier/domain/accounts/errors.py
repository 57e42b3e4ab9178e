"""Refusals of the accounts use cases, each a subclass of a :mod:`croupier.domain.errors` class.

::

    CroupierError
     ├── InvalidInput
     │    └── InvalidRegistration      a registration field is malformed or refused (names it)
     ├── EmailTaken                    the (normalised) email already has a player   → 409
     ├── AuthenticationFailed          bad credentials or token; never says which    → 401
     └── TooManyAttempts               login limit or lock-out; ``retry_after_s``    → 429
          └── TooManyRegistrations     too many registrations from one address       → 429
"""

from __future__ import annotations

from croupier.domain.errors import CroupierError, InvalidInput

__all__ = [
    "AUTHENTICATION_FAILED_MESSAGE",
    "AuthenticationFailed",
    "EmailTaken",
    "InvalidRegistration",
    "TooManyAttempts",
    "TooManyRegistrations",
]

#: The one message of every authentication failure, so it never tells which part was wrong.
AUTHENTICATION_FAILED_MESSAGE = "invalid email or password"


class InvalidRegistration(InvalidInput):
    """A registration field is malformed or refused by policy; ``field`` names it."""

    code = "invalid-registration"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class EmailTaken(CroupierError):
    """A player with this email (after normalisation) already exists."""

    code = "email-taken"


class AuthenticationFailed(CroupierError):
    """Unknown email, wrong password, or an unknown, expired, revoked or forged session token."""

    code = "authentication-failed"

    def __init__(self, message: str = AUTHENTICATION_FAILED_MESSAGE) -> None:
        super().__init__(message)


class TooManyAttempts(CroupierError):
    """Too many login attempts from this IP or for this account; retry after ``retry_after_s``."""

    code = "too-many-attempts"
    #: What there were too many of, for the message.
    counted = "login attempts"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many {self.counted}; retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s


class TooManyRegistrations(TooManyAttempts):
    """Too many registrations from this address; retry after ``retry_after_s``.

    A subclass, so a caller that waits out every rate limit catches both; its own code, so a
    client told to wait is not sent looking for failed logins.
    """

    code = "too-many-registrations"
    counted = "registrations from this address"
