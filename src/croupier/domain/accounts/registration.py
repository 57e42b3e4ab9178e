"""A registration request, every field checked and normalised at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from croupier.domain.accounts.passwords import PasswordPolicy
from croupier.domain.accounts.validation import (
    check_country,
    check_currency,
    normalise_email,
    parse_date_of_birth,
)

__all__ = ["Registration", "validate_registration"]


@dataclass(frozen=True, slots=True)
class Registration:
    """A valid registration: normalised email, prepared password, and the player's details."""

    email: str
    password: str = field(repr=False)
    date_of_birth: date
    country: str
    currency: str


def validate_registration(
    *,
    email: object,
    password: object,
    date_of_birth: object,
    country: object,
    currency: object,
    today: date,
    age_years_min: int,
    policy: PasswordPolicy,
) -> Registration:
    """The checked registration; the first bad field raises ``InvalidRegistration``."""
    normalised = normalise_email(email)
    return Registration(
        email=normalised,
        password=policy.check(password, email=normalised),
        date_of_birth=parse_date_of_birth(date_of_birth, today=today, age_years_min=age_years_min),
        country=check_country(country),
        currency=check_currency(currency),
    )
