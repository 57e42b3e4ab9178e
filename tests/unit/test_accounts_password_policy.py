"""The password policy (OWASP ASVS V2.1 / V6.2): what it refuses and why, and its invariants."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from croupier.domain.accounts import InvalidRegistration, PasswordPolicy, login_forms
from croupier.services.accounts import AccountLimits

POLICY = PasswordPolicy()
EMAIL = "john.smith@example.com"


def _refusal(password: str, email: str | None = EMAIL) -> str:
    with pytest.raises(InvalidRegistration) as refused:
        POLICY.check(password, email=email)
    assert refused.value.field == "password"
    return refused.value.reason


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        # The three the adversarial test registered.
        (" " * 10, "only spaces"),
        ("\x00" * 10, "control characters"),
        ("croupier2026", "site's name"),
        # Their relatives.
        ("\u3000" * 12, "only spaces"),  # ideographic spaces
        ("\u200b" * 12 + "  ", "only spaces"),  # zero-width spaces are no better
        ("correct horse\tbattery", "control characters"),
        ("correct horse battery\n", "control characters"),
        ("correct horse\x7fbattery", "control characters"),  # DEL
        ("correct horse\x85battery", "control characters"),  # C1 next line
        ("correct horse \ud800battery", "surrogate"),
        ("correct horse \u0378battery", "unassigned"),
        ("correct horse \ufffebattery", "unassigned"),  # a non-character
        ("Croupier!!2026", "site's name"),
        ("2026 CROUPIER 2026", "site's name"),
        ("c-r-o-u-p-i-e-r-1-2", "site's name"),
        ("john.smith1990", "email"),
        ("John Smith 1990!", "email"),
        ("JOHN.SMITH@EXAMPLE.COM", "email"),
        ("a" + " " * 10 + "b", "at least 12"),  # a run of spaces counts as one (ASVS 2.1.1)
        ("eleven char", "at least 12"),
    ],
)
def test_weak_passwords_are_refused_naming_the_rule(password: str, rule: str) -> None:
    reason = _refusal(password)
    assert rule in reason
    assert password not in reason and "croupier" not in reason and "john" not in reason


def test_an_email_without_letters_is_still_no_password() -> None:
    assert "email" in _refusal("123456789012", email="123456789012@example.com")
    assert POLICY.check("8472-1937-5521", email="20260501@example.com")  # no letters: no word


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "twelve chars",
        "croupier deals the river card",  # the word among other words is fine
        "johnny smithers 1990",
        "\U0001f468\u200d\U0001f469\u200d\U0001f467 family night at eight",  # emoji ZWJ sequence
        # Persian, with a zero-width non-joiner (ZWNJ)
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u0628\u0627\u0632\u06cc",
        "\uf8ff apple pie forever",  # private use: the Apple logo a Mac keyboard types
        "   leading and trailing spaces   ",
        "x" * 256,
    ],
)
def test_printable_unicode_and_spaces_are_accepted(password: str) -> None:
    assert POLICY.check(password, email=EMAIL) == password


def test_passwords_are_nfkc_normalised_and_login_also_tries_the_older_nfc_form() -> None:
    assert POLICY.check("correct\u00a0horse battery") == "correct horse battery"
    assert POLICY.check("\uff43\uff4f\uff52\uff52\uff45\uff43\uff54 horse") == "correct horse"
    assert "site's name" in _refusal(
        "\uff43\uff52\uff4f\uff55\uff50\uff49\uff45\uff52\uff12\uff10\uff12\uff16"
    )
    assert login_forms("cafe\u0301 society", length_max=256) == ("caf\u00e9 society",)
    assert login_forms("\ufb01ne \u00e9", length_max=256) == ("fine \u00e9", "\ufb01ne \u00e9")
    assert login_forms("x" * 1024, length_max=256) == ("x" * 1024,)  # not a password, not cut
    assert login_forms("x" * 1025, length_max=256) == ()  # longer than any registration takes
    assert login_forms("correct horse \ud800", length_max=256) == ()  # not UTF-8


def test_minimum_length_is_twelve_by_default() -> None:
    assert AccountLimits().password_length_min == POLICY.length_min == 12
    assert POLICY.check("twelve chars") == "twelve chars"
    assert "at least 12" in _refusal("eleven char")


def test_context_words_are_extensible_and_must_hold_a_letter() -> None:
    policy = PasswordPolicy(context_words=frozenset({"croupier", "Lucky Seven Casino"}))
    with pytest.raises(InvalidRegistration, match="site's name"):
        policy.check("luckysevencasino2026!")
    with pytest.raises(ValueError, match="letter"):
        PasswordPolicy(context_words=frozenset({"2026"}))


_TRICKY = ["\x00", "\t", "\n", "\x7f", "\x85", " ", "\u3000", "\u200b", "\ud800", "\u0378"]
passwords = st.text(
    st.one_of(
        st.characters(exclude_categories=()),  # every code point, surrogates included
        st.sampled_from(_TRICKY),
        st.sampled_from(string.printable),
    ),
    max_size=40,
)


@given(passwords)
def test_an_accepted_password_is_printable_and_not_blank(password: str) -> None:
    try:
        prepared = POLICY.check(password)
    except InvalidRegistration:
        return
    assert prepared == unicodedata.normalize("NFKC", password)
    assert prepared in login_forms(password, length_max=POLICY.length_max)
    for text in (password, prepared):
        assert not any(unicodedata.category(c) in {"Cc", "Cs", "Cn"} for c in text)
    assert not prepared.isspace()
    assert len(re.sub(r"\s+", " ", prepared)) >= POLICY.length_min


_AROUND = st.text(string.digits + string.punctuation + " ", max_size=12)
_CASES = st.sampled_from([str.lower, str.upper, str.title, str.capitalize, str.swapcase])
local_parts = st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,8}){0,2}", fullmatch=True)


@given(local_parts, _CASES, _AROUND, _AROUND, st.booleans())
def test_a_context_word_with_digits_or_symbols_around_is_refused(
    local: str, case: Callable[[str], str], before: str, after: str, site: bool
) -> None:
    word = "croupier" if site else local
    with pytest.raises(InvalidRegistration) as refused:
        POLICY.check(before + case(word) + after, email=f"{local}@example.com")
    assert refused.value.field == "password"
