"""The password policy: OWASP ASVS 4.0.3 V2.1 (ASVS 5 V6.2) and NIST SP 800-63B.

No composition rules (they make passwords worse). Any printable Unicode is allowed, spaces
and emoji too. A minimum length, counted with each run of spaces as one (ASVS 2.1.1), and a
maximum well over ASVS's 64 that bounds the hashing work. Refused besides: passwords on a list
of common ones, and passwords whose letters are only a *context word* (this site's name, the
player's email address or the name before its ``@``), whatever digits, spaces or symbols
surround them: ``croupier2026``, ``Croupier!!2026``, ``john.smith1990`` for john.smith@….

Characters refused, by Unicode general category:

- ``Cc`` control characters (NUL, tab, newline, DEL, C1): nobody types them into a password
  field; other systems cut or split passwords at them.
- ``Cs`` lone surrogates: not text at all, and not encodable as UTF-8 for hashing.
- ``Cn`` code points unassigned in this Python's Unicode (and non-characters): once a later
  Unicode assigns one, it may normalise differently, and the player could no longer log in.

Allowed, because people type them: ``Cf`` format characters (the zero-width joiner inside emoji
sequences, the zero-width non-joiner of Persian and Indic scripts, the tags of flags) and
``Co`` private-use characters (the Apple logo a Mac keyboard types). A password made only of
spaces and such invisible characters is refused.

Passwords are NFKC-normalised before checking and hashing (NIST SP 800-63B 5.1.1.2), so the
same password typed on two systems is the same password: accents composed or not, full-width
or half-width letters from an East Asian input method, ligatures, a no-break space. Hashes
made before, when registration hashed the NFC form, still verify (:func:`login_forms`), and
the service then replaces them.

>>> policy = PasswordPolicy(common_passwords=frozenset({"password1234"}))
>>> policy.check("PassWord1234")
Traceback (most recent call last):
...
croupier.domain.errors.InvalidRegistration: password: is too common
>>> try:
...     policy.check("Croupier!!2026")
... except InvalidRegistration as refused:
...     print(refused.reason)
must not be the site's name with only digits or symbols added
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Final

from croupier.domain.accounts.errors import InvalidRegistration

__all__ = [
    "PRODUCT_CONTEXT_WORDS",
    "RAW_LENGTH_FACTOR",
    "PasswordPolicy",
    "login_forms",
    "prepare_password",
]

#: A password longer than this many times ``length_max`` before normalisation is refused
#: unread, at registration and at login: it bounds the normalisation work.
RAW_LENGTH_FACTOR = 4
#: The context words every policy starts from: the product's name.
PRODUCT_CONTEXT_WORDS: Final = frozenset({"croupier"})

_REFUSED_CATEGORIES: Final = {
    "Cc": "must not contain control characters such as NUL, tab or newline",
    "Cs": "must not contain surrogate code points",
    "Cn": f"must not contain code points unassigned in Unicode {unicodedata.unidata_version}",
}
_SPACE_RUN = re.compile(r"\s+")


def prepare_password(password: str) -> str:
    """The form of ``password`` that is checked and hashed (Unicode NFKC)."""
    return unicodedata.normalize("NFKC", password)


def login_forms(password: str, *, length_max: int) -> tuple[str, ...]:
    """The forms of ``password`` a login verifies, in order: the prepared one (NFKC), then
    the NFC form older hashes were made of, if it differs.

    Empty for input no registration accepts (longer than ``RAW_LENGTH_FACTOR × length_max``,
    or not encodable as UTF-8). Nothing is cut (ASVS 2.1.3): a longer input never matches.
    """
    if len(password) > RAW_LENGTH_FACTOR * length_max:
        return ()
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return ()
    current, older = prepare_password(password), unicodedata.normalize("NFC", password)
    return (current,) if older == current else (current, older)


def _letters(text: str) -> str:
    """The letters of ``text`` with their marks, case-folded: what is left of a password once
    digits, spaces, punctuation and symbols are dropped."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if unicodedata.category(c)[0] in "LM")


def _check_characters(password: str) -> None:
    """Refuse control, surrogate and unassigned code points, and invisible-only passwords."""
    categories = {unicodedata.category(c) for c in password}
    for category, reason in _REFUSED_CATEGORIES.items():
        if category in categories:
            raise InvalidRegistration("password", reason)
    if password and all(c.isspace() or unicodedata.category(c) == "Cf" for c in password):
        raise InvalidRegistration("password", "must not be only spaces or invisible characters")


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """Length bounds in characters (after NFKC), lower-cased common passwords to refuse, and
    the context words (each with at least one letter) a password must not be built from."""

    length_min: int = 12
    length_max: int = 256
    common_passwords: frozenset[str] = field(default=frozenset(), repr=False)
    context_words: frozenset[str] = PRODUCT_CONTEXT_WORDS

    def __post_init__(self) -> None:
        if not 8 <= self.length_min <= self.length_max <= 4096:
            raise ValueError("password lengths must satisfy 8 <= length_min <= length_max <= 4096")
        for word in self.context_words:
            if not _letters(word):
                raise ValueError(f"a password context word needs a letter: {word!r}")

    def check(self, password: object, *, email: str | None = None) -> str:
        """The prepared password, or :class:`InvalidRegistration` naming ``password`` and the
        rule it broke (never the password itself). ``email``: the normalised address."""
        if not isinstance(password, str):
            raise InvalidRegistration("password", "must be a string")
        if len(password) > RAW_LENGTH_FACTOR * self.length_max:  # bound the NFKC work
            raise InvalidRegistration("password", f"must be at most {self.length_max} characters")
        _check_characters(password)
        prepared = prepare_password(password)
        if len(_SPACE_RUN.sub(" ", prepared)) < self.length_min:
            raise InvalidRegistration(
                "password",
                f"must be at least {self.length_min} characters (spaces in a row count once)",
            )
        if len(prepared) > self.length_max:
            raise InvalidRegistration("password", f"must be at most {self.length_max} characters")
        self._check_words(prepared, email)
        return prepared

    def _check_words(self, prepared: str, email: str | None) -> None:
        """Refuse common passwords and context words with only digits or symbols added."""
        folded = prepared.casefold()
        if folded in self.common_passwords:
            raise InvalidRegistration("password", "is too common")
        letters = _letters(prepared)
        if letters and letters in {_letters(word) for word in self.context_words}:
            raise InvalidRegistration(
                "password", "must not be the site's name with only digits or symbols added"
            )
        if email is not None:
            local = email.rpartition("@")[0]
            if folded in {email, local} or (
                letters and letters in {_letters(email), _letters(local)}
            ):
                raise InvalidRegistration(
                    "password",
                    "must not be your email address or its name with only digits or symbols added",
                )
