"""Players and their credentials: pure rules (validation, password policy, errors)."""

from croupier.domain.accounts.countries import ISO_3166_ALPHA_2
from croupier.domain.accounts.errors import (
    AUTHENTICATION_FAILED_MESSAGE,
    AuthenticationFailed,
    EmailTaken,
    InvalidRegistration,
    TooManyAttempts,
    TooManyRegistrations,
)
from croupier.domain.accounts.passwords import (
    PRODUCT_CONTEXT_WORDS,
    RAW_LENGTH_FACTOR,
    PasswordPolicy,
    login_forms,
    prepare_password,
)
from croupier.domain.accounts.player import Player, bonus_account_id, cash_account_id
from croupier.domain.accounts.registration import Registration, validate_registration
from croupier.domain.accounts.validation import (
    age_years,
    check_country,
    check_currency,
    normalise_email,
    parse_date_of_birth,
)

__all__ = [
    "AUTHENTICATION_FAILED_MESSAGE",
    "ISO_3166_ALPHA_2",
    "PRODUCT_CONTEXT_WORDS",
    "RAW_LENGTH_FACTOR",
    "AuthenticationFailed",
    "EmailTaken",
    "InvalidRegistration",
    "PasswordPolicy",
    "Player",
    "Registration",
    "TooManyAttempts",
    "TooManyRegistrations",
    "age_years",
    "bonus_account_id",
    "cash_account_id",
    "check_country",
    "check_currency",
    "login_forms",
    "normalise_email",
    "parse_date_of_birth",
    "prepare_password",
    "validate_registration",
]
