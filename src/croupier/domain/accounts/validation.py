"""Registration fields: email, date of birth, country and currency, checked and normalised.

>>> normalise_email("  Alice.Smith@Example.COM ")
'alice.smith@example.com'
>>> age_years(date(2000, 2, 29), today=date(2018, 2, 28))
17
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from croupier.domain.accounts.countries import ISO_3166_ALPHA_2
from croupier.domain.accounts.errors import InvalidRegistration
from croupier.domain.errors import UnknownCurrency
from croupier.domain.money import currency

__all__ = [
    "DATE_OF_BIRTH_MIN",
    "EMAIL_LENGTH_MAX",
    "age_years",
    "check_country",
    "check_currency",
    "normalise_email",
    "parse_date_of_birth",
]

#: RFC 5321: a forward path holds at most 256 octets including the angle brackets.
EMAIL_LENGTH_MAX: Final = 254
_LOCAL_LENGTH_MAX: Final = 64
#: Earlier birth dates are typing mistakes, not players.
DATE_OF_BIRTH_MIN: Final = date(1900, 1, 1)

# RFC 5322 dot-atom for the local part (no quoted strings, no comments), lower case only
# because the address is lower-cased first. Domain: LDH labels, at least two, and a top
# label that is not all digits (so no bare IP addresses).
_ATEXT = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+(?:[a-z](?:[a-z0-9-]{{0,61}}[a-z0-9])?)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def normalise_email(email: object) -> str:
    """The email stripped and lower-cased, or :class:`InvalidRegistration` (field ``email``).

    Only ASCII addresses for now (internationalised addresses need IDNA and SMTPUTF8 care).
    The whole address is lower-cased: every mainstream provider treats the local part
    case-insensitively, and two players must not differ only by case.
    """
    if not isinstance(email, str):
        raise InvalidRegistration("email", "must be a string")
    text = email.strip()
    if not text.isascii():
        raise InvalidRegistration("email", "must be an ASCII address")
    text = text.lower()
    if not 3 <= len(text) <= EMAIL_LENGTH_MAX:
        raise InvalidRegistration("email", f"must be 3 to {EMAIL_LENGTH_MAX} characters")
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise InvalidRegistration("email", "must look like name@example.com")
    if len(local) > _LOCAL_LENGTH_MAX or not _LOCAL.fullmatch(local):
        raise InvalidRegistration("email", "has an invalid name before the @")
    if not _DOMAIN.fullmatch(domain):
        raise InvalidRegistration("email", "has an invalid domain after the @")
    return text


def age_years(date_of_birth: date, *, today: date) -> int:
    """Whole years lived on ``today`` (someone born on 29 February ages on 1 March)."""
    before_birthday = (today.month, today.day) < (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - before_birthday


def parse_date_of_birth(text: object, *, today: date, age_years_min: int) -> date:
    """An ISO ``YYYY-MM-DD`` date of birth of someone at least ``age_years_min`` on ``today``."""
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text.strip()):
        raise InvalidRegistration("date_of_birth", "must be a date as YYYY-MM-DD")
    try:
        born = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidRegistration("date_of_birth", "is not a calendar date") from None
    if born < DATE_OF_BIRTH_MIN or born > today:
        raise InvalidRegistration("date_of_birth", f"must be between {DATE_OF_BIRTH_MIN} and today")
    if age_years(born, today=today) < age_years_min:
        raise InvalidRegistration("date_of_birth", f"players must be at least {age_years_min}")
    return born


def check_country(text: object) -> str:
    """An assigned ISO 3166-1 alpha-2 code, upper-cased (``"de"`` → ``"DE"``)."""
    code = text.strip().upper() if isinstance(text, str) else ""
    if code not in ISO_3166_ALPHA_2:
        raise InvalidRegistration("country", "must be an ISO 3166-1 alpha-2 code such as DE")
    return code


def check_currency(text: object) -> str:
    """A currency code this Croupier knows (see :func:`croupier.domain.money.currency`)."""
    code = text.strip().upper() if isinstance(text, str) else ""
    try:
        return currency(code).code
    except UnknownCurrency:
        raise InvalidRegistration("currency", f"unknown currency {text!r}") from None
