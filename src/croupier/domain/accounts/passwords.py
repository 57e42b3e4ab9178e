"""The password policy: length bounds and a list of common passwords, nothing more.

Following NIST SP 800-63B: no composition rules (they make passwords worse), a minimum
length, a maximum that bounds hashing work, and a check against passwords known to be common.
Passwords are NFC-normalised before checking and hashing, so the same password typed on two
systems that compose accents differently is the same password.

>>> policy = PasswordPolicy(common_passwords=frozenset({"password1234"}))
>>> policy.check("PassWord1234")
Traceback (most recent call last):
...
croupier.domain.accounts.errors.InvalidRegistration: password: is too common
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from croupier.domain.accounts.errors import InvalidRegistration

__all__ = ["RAW_LENGTH_FACTOR", "PasswordPolicy", "prepare_password"]

#: A password longer than this many times ``length_max`` before normalisation is refused
#: unread; so login may cut any input there without changing a valid password.
RAW_LENGTH_FACTOR = 4


def prepare_password(password: str) -> str:
    """The form of ``password`` that is checked and hashed (Unicode NFC)."""
    return unicodedata.normalize("NFC", password)


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """Length bounds in characters (after NFC), and lower-cased common passwords to refuse."""

    length_min: int = 10
    length_max: int = 256
    common_passwords: frozenset[str] = field(default=frozenset(), repr=False)

    def __post_init__(self) -> None:
        if not 8 <= self.length_min <= self.length_max <= 4096:
            raise ValueError("password lengths must satisfy 8 <= length_min <= length_max <= 4096")

    def check(self, password: object, *, email: str | None = None) -> str:
        """The prepared password, or :class:`InvalidRegistration` naming ``password``."""
        if not isinstance(password, str):
            raise InvalidRegistration("password", "must be a string")
        if len(password) > RAW_LENGTH_FACTOR * self.length_max:  # bound the NFC work
            raise InvalidRegistration("password", f"must be at most {self.length_max} characters")
        prepared = prepare_password(password)
        if len(prepared) < self.length_min:
            raise InvalidRegistration("password", f"must be at least {self.length_min} characters")
        if len(prepared) > self.length_max:
            raise InvalidRegistration("password", f"must be at most {self.length_max} characters")
        folded = prepared.lower()
        if folded in self.common_passwords:
            raise InvalidRegistration("password", "is too common")
        if email is not None and folded in {email, email.partition("@")[0]}:
            raise InvalidRegistration("password", "must not be your email address")
        return prepared
