"""The transport's settings: CORS origins exact and normalised as browsers send them, never a
wildcard; TLS certificate and key together or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from croupier.config import ConfigError, load_settings


def test_cors_origins_are_exact_origins_as_browsers_send_them() -> None:
    settings = load_settings(
        {
            "CROUPIER_CORS_ORIGINS": (
                " https://Play.Example.com , http://localhost:3000,https://play.example.com:443,"
                "HTTP://[::1]:8080,http://example.org:80,"
            )
        }
    )
    assert settings.http.cors_origins == (
        "https://play.example.com",  # lower case, the default port dropped, listed once
        "http://localhost:3000",
        "http://[::1]:8080",
        "http://example.org",
    )
    assert load_settings({}).http.cors_origins == ()  # by default no page elsewhere may call


@pytest.mark.parametrize(
    "value",
    [
        "*",
        "https://*.example.com",
        "https://play.example.com/",  # an origin has no path, not even /
        "https://play.example.com/app",
        "https://play.example.com?x=1",
        "https://play.example.com#top",
        "https://user:pw@play.example.com",
        "play.example.com",  # no scheme
        "ftp://play.example.com",
        "https://",
        "https://play.example.com:99999",
        "https://play.example.com:port",
        "https://ok.example.com,null",
    ],
)
def test_anything_but_an_origin_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="CROUPIER_CORS_ORIGINS"):
        load_settings({"CROUPIER_CORS_ORIGINS": value})


def test_the_wildcard_is_refused_with_its_reason() -> None:
    with pytest.raises(ConfigError, match="credentials"):
        load_settings({"CROUPIER_CORS_ORIGINS": "*"})


def test_tls_certificate_and_key_go_together() -> None:
    settings = load_settings({"CROUPIER_TLS_CERT": "c.pem", "CROUPIER_TLS_KEY": "k.pem"})
    assert (settings.http.tls_cert, settings.http.tls_key) == (Path("c.pem"), Path("k.pem"))
    assert (load_settings({}).http.tls_cert, load_settings({}).http.tls_key) == (None, None)
    for alone in ({"CROUPIER_TLS_CERT": "c.pem"}, {"CROUPIER_TLS_KEY": "k.pem"}):
        with pytest.raises(ConfigError, match="CROUPIER_TLS_CERT and CROUPIER_TLS_KEY"):
            load_settings(alone)
