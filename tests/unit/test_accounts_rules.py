"""Pure registration rules: email, password policy, date of birth, country, currency."""

from __future__ import annotations

import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from croupier.domain.accounts import (
    ISO_3166_ALPHA_2,
    InvalidRegistration,
    PasswordPolicy,
    age_years,
    check_country,
    check_currency,
    normalise_email,
    parse_date_of_birth,
    validate_registration,
)
from croupier.domain.errors import InvalidInput
from croupier.services.accounts import AccountLimits

TODAY = date(2026, 5, 1)

_LOCAL_CHARS = string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-"
locals_ = st.lists(st.text(_LOCAL_CHARS, min_size=1, max_size=10), min_size=1, max_size=3).map(
    ".".join
)
labels = st.text(string.ascii_letters + string.digits, min_size=1, max_size=12)
tlds = st.text(string.ascii_letters, min_size=2, max_size=6)
emails = st.builds(
    lambda local, names, tld: f"{local}@{'.'.join([*names, tld])}",
    locals_,
    st.lists(labels, min_size=1, max_size=3),
    tlds,
)


@given(emails, st.sampled_from(["", " ", "\t", "  \n"]))
def test_email_normalisation_folds_case_and_space_and_is_idempotent(email: str, pad: str) -> None:
    normal = normalise_email(pad + email + pad)
    assert normal == email.lower()
    assert normalise_email(normal) == normal
    assert normalise_email(email.upper()) == normalise_email(email.swapcase()) == normal


@pytest.mark.parametrize(
    "email",
    [
        "",
        "plain",
        "@example.com",
        "alice@",
        "alice@@example.com",
        "alice@example",  # one label
        "alice@example.123",  # numeric top label
        "alice@-example.com",
        "alice@exa mple.com",
        ".alice@example.com",
        "alice..b@example.com",
        "alice.@example.com",
        "ålice@example.com",
        "a" * 65 + "@example.com",
        "a@" + "b" * 250 + ".com",
        None,
        42,
    ],
)
def test_malformed_emails_are_refused(email: object) -> None:
    with pytest.raises(InvalidRegistration) as refused:
        normalise_email(email)
    assert refused.value.field == "email"
    assert isinstance(refused.value, InvalidInput) and isinstance(refused.value, ValueError)


def test_password_policy() -> None:
    policy = PasswordPolicy(
        length_min=10, length_max=20, common_passwords=frozenset({"qwertyuiop"})
    )
    assert policy.check("ten chars!") == "ten chars!"
    assert policy.check("e\u0301" * 10) == "é" * 10  # NFC: ten characters, not twenty
    for bad in ["nine char", "x" * 21, "e\u0301" * 41, "QwertyUIOP", None]:
        with pytest.raises(InvalidRegistration) as refused:
            policy.check(bad)
        assert refused.value.field == "password"
    with pytest.raises(InvalidRegistration, match="email"):
        policy.check("Alice.Smith", email="alice.smith@example.com")


def test_password_policy_bounds() -> None:
    for length_min, length_max in [(7, 20), (12, 11), (10, 5000)]:
        with pytest.raises(ValueError):
            PasswordPolicy(length_min, length_max)


@pytest.mark.parametrize(
    ("born", "today", "age"),
    [
        (date(2008, 5, 1), date(2026, 5, 1), 18),
        (date(2008, 5, 2), date(2026, 5, 1), 17),
        (date(2000, 2, 29), date(2018, 2, 28), 17),
        (date(2000, 2, 29), date(2018, 3, 1), 18),
        (date(2000, 2, 29), date(2020, 2, 29), 20),
    ],
)
def test_age_years(born: date, today: date, age: int) -> None:
    assert age_years(born, today=today) == age


@pytest.mark.parametrize(
    "text",
    [
        "2008-05-02",  # 17
        "2026-05-02",  # future
        "1899-12-31",
        "1990-02-30",
        "19900401",
        "1990-4-1",
        "01/04/1990",
        "",
        None,
    ],
)
def test_bad_dates_of_birth_are_refused(text: object) -> None:
    with pytest.raises(InvalidRegistration) as refused:
        parse_date_of_birth(text, today=TODAY, age_years_min=18)
    assert refused.value.field == "date_of_birth"


def test_date_of_birth_at_exactly_the_minimum_age() -> None:
    assert parse_date_of_birth(" 2008-05-01 ", today=TODAY, age_years_min=18) == date(2008, 5, 1)
    with pytest.raises(InvalidRegistration):
        parse_date_of_birth("2008-05-01", today=TODAY, age_years_min=21)


def test_countries_and_currencies() -> None:
    assert len(ISO_3166_ALPHA_2) == 249
    assert check_country(" gb ") == "GB"
    assert check_currency("eur") == "EUR"
    for bad in ["UK", "EU", "XX", "DEU", "", None]:
        with pytest.raises(InvalidRegistration) as refused:
            check_country(bad)
        assert refused.value.field == "country"
    for bad in ["XYZ", "EURO", "", None]:
        with pytest.raises(InvalidRegistration) as refused:
            check_currency(bad)
        assert refused.value.field == "currency"


def test_validate_registration_normalises_every_field() -> None:
    registration = validate_registration(
        email=" Bob@Example.ORG",
        password="correct horse battery staple",
        date_of_birth="1980-01-31",
        country="fr",
        currency="eur",
        today=TODAY,
        age_years_min=18,
        policy=PasswordPolicy(),
    )
    assert (registration.email, registration.country, registration.currency) == (
        "bob@example.org",
        "FR",
        "EUR",
    )
    assert registration.date_of_birth == date(1980, 1, 31)
    assert "correct horse" not in repr(registration)


@pytest.mark.parametrize(
    "overrides",
    [
        {"password_length_min": 7},
        {"password_length_min": 20, "password_length_max": 19},
        {"session_ttl_s": 0},
        {"login_failures_max": 0},
        {"lockout_s": 10**9},
        {"tracked_keys_max": 10**12},
        {"age_years_min": 17},
        {"login_attempts_per_ip_per_minute": True},
    ],
)
def test_account_limits_are_bounded(overrides: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        AccountLimits(**overrides)


def test_doctests() -> None:
    import doctest

    from croupier.domain.accounts import passwords, validation

    for module in (passwords, validation):
        assert doctest.testmod(module).failed == 0
