"""A registration request, every field checked and normalised at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from croupier.domain.accounts.passwords import PasswordPolicy
from croupier.domain.accounts.validation import (
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
    #: The state or province in the US and Canada (``"NJ"``), else ``None``.
    state: str | None = None


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
    region: object = None,
) -> Registration:
    """The checked registration; the first bad field raises ``InvalidRegistration``."""
    # Imported here: the compliance package imports the accounts one (countries, ages).
    from croupier.domain.compliance.residence import parse_residence

    normalised = normalise_email(email)
    country_code, state = parse_residence(country, region)
    return Registration(
        email=normalised,
        password=policy.check(password, email=normalised),
        date_of_birth=parse_date_of_birth(date_of_birth, today=today, age_years_min=age_years_min),
        country=country_code,
        currency=check_currency(currency),
        state=state,
    )
