"""Settings from ``CROUPIER_*`` variables: bad values refused at start-up, naming the variable."""

from __future__ import annotations

import pytest

from croupier.config import ConfigError, load_settings


def test_trusted_proxies_are_addresses_or_networks() -> None:
    settings = load_settings({"CROUPIER_TRUSTED_PROXIES": "127.0.0.1, 10.1.2.3/8,::1"})
    assert settings.http.trusted_proxies == ("127.0.0.1", "10.0.0.0/8", "::1")  # as uvicorn matches
    assert load_settings({}).http.trusted_proxies == ()  # by default, X-Forwarded-For is ignored
    with pytest.raises(ConfigError, match="CROUPIER_TRUSTED_PROXIES"):
        load_settings({"CROUPIER_TRUSTED_PROXIES": "127.0.0.1,proxy.internal"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CROUPIER_HTTP_HEAD_TIMEOUT_S", "0"),
        ("CROUPIER_HTTP_BODY_TIMEOUT_S", "0"),
        ("CROUPIER_HTTP_BODY_TIMEOUT_S", "601"),
        ("CROUPIER_HTTP_CONNECTIONS_MAX", "0"),
        ("CROUPIER_HTTP_CONNECTIONS_MAX", "many"),
        ("CROUPIER_WS_SESSION_CHECK_S", "soon"),
    ],
)
def test_out_of_range_or_malformed_numbers_are_refused(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value})
