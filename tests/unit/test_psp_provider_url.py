"""The URL-ish configuration of a PSP adapter: what it gives, what it refuses, what it hides."""

from __future__ import annotations

import pytest

from croupier.adapters.payments.alpha import AlphaProvider, parse_settlement
from croupier.adapters.payments.beta import BetaProvider
from croupier.adapters.payments.beta import parse_settlement as parse_beta_settlement
from croupier.adapters.payments.provider_url import parse_provider_url, provider_from_url
from croupier.adapters.payments.psp_http import ProviderError

PUBLIC = "A" * 43 + "="  # 32 zero bytes in base64


def test_an_alpha_url_gives_its_profile_and_secrets() -> None:
    config = parse_provider_url(
        "alpha+https://psp.example/api?key=sk_1&secret=wh_1&name=a1&currencies=eur,USD"
        "&countries=de,at&priority=5&timeout_ms=1500&window_s=60"
    )
    assert config.flavour == "alpha" and config.base_url == "https://psp.example/api"
    assert (config.api_key, config.webhook_key) == ("sk_1", "wh_1")
    profile = config.profile
    assert profile.name == "a1" and profile.currencies == {"EUR", "USD"}
    assert profile.countries == {"DE", "AT"} and profile.methods == {"card"}
    assert profile.priority == 5 and (config.timeout_ms, config.webhook_window_s) == (1500, 60)
    assert profile.covers("card", "DE", "EUR") and not profile.covers("card", "FR", "EUR")
    assert "sk_1" not in repr(config) and "wh_1" not in repr(config)


def test_defaults_and_both_flavours_build_their_adapter() -> None:
    alpha = provider_from_url("alpha+http://127.0.0.1:9?key=k&secret=s")
    beta = provider_from_url(f"beta+http://127.0.0.1:9?key=k&public_key={PUBLIC}")
    assert isinstance(alpha, AlphaProvider) and isinstance(beta, BetaProvider)
    assert alpha.profile.name == "alpha" and alpha.profile.countries == frozenset()
    assert beta.profile.currencies == {"EUR"}
    assert "k" not in repr(alpha).replace("alpha", "").replace("Alpha", "")


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("gamma+http://h?key=k&secret=s", "starts with"),
        ("alpha+ftp://h?key=k&secret=s", "starts with"),
        ("http://h?key=k&secret=s", "starts with"),
        ("alpha+http://?key=k&secret=s", "host"),
        ("alpha+http://h?secret=s", "key="),
        ("alpha+http://h?key=k", "secret="),
        ("beta+http://h?key=k&secret=s", "public_key="),
        ("alpha+http://h?key=k&secret=s&timeout=5", "unknown provider URL parameters: timeout"),
        ("alpha+http://h?key=k&secret=s&timeout_ms=0", "timeout_ms"),
        ("alpha+http://h?key=k&secret=s&window_s=x", "window_s"),
        ("alpha+http://h?key=k&secret=s&currencies=", "currencies"),
    ],
)
def test_a_bad_url_is_refused_saying_why(url: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        parse_provider_url(url)


def test_a_bad_public_key_is_refused() -> None:
    with pytest.raises(ValueError, match="public_key"):
        provider_from_url("beta+http://h?key=k&public_key=bm90LWEta2V5")


def test_unreadable_settlement_reports_are_errors_not_empty_lists() -> None:
    with pytest.raises(ProviderError, match="unreadable"):
        parse_settlement("reference,id,type,amount\nc-1,ch_1,charge,12.5\n", "alpha")
    with pytest.raises(ProviderError, match="unreadable"):
        parse_beta_settlement(
            "Merchant Reference;Psp Reference;Record Type;Value;Currency;Booking Date\r\n"
            "c-1;B1;Exploded;100;EUR;2026-03-01T12:00:00.000Z\r\n",
            "beta",
        )
