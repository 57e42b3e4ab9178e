"""Settings from ``CROUPIER_*`` variables: bad values refused at start-up, naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from croupier.config import ConfigError, load_settings


def test_trusted_proxies_are_addresses_or_networks() -> None:
    settings = load_settings({"CROUPIER_TRUSTED_PROXIES": "127.0.0.1, 10.1.2.3/8,::1"})
    assert settings.http.trusted_proxies == ("127.0.0.1", "10.0.0.0/8", "::1")  # as uvicorn matches
    assert load_settings({}).http.trusted_proxies == ()  # by default, X-Forwarded-For is ignored
    with pytest.raises(ConfigError, match="CROUPIER_TRUSTED_PROXIES"):
        load_settings({"CROUPIER_TRUSTED_PROXIES": "127.0.0.1,proxy.internal"})


def test_password_context_words_are_words() -> None:
    settings = load_settings({"CROUPIER_PASSWORD_CONTEXT_WORDS": " Lucky Seven, lucky7casino ,"})
    assert settings.password_context_words == ("Lucky Seven", "lucky7casino")
    assert load_settings({}).password_context_words == ()  # "croupier" is always one
    for bad in ["2026", "x" * 65, ",".join(["casino"] * 33)]:
        with pytest.raises(ConfigError, match="CROUPIER_PASSWORD_CONTEXT_WORDS"):
            load_settings({"CROUPIER_PASSWORD_CONTEXT_WORDS": bad})


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


def test_the_games_folder_is_an_existing_directory_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "games").mkdir()
    monkeypatch.chdir(tmp_path)
    assert load_settings({}).games_dir is None  # the shipped games alone
    assert load_settings({"CROUPIER_GAMES_DIR": "games"}).games_dir == tmp_path / "games"
    (tmp_path / "file").write_text("", encoding="utf-8")
    for value in ("missing", "file"):
        with pytest.raises(ConfigError, match="CROUPIER_GAMES_DIR"):
            load_settings({"CROUPIER_GAMES_DIR": value})


def test_websocket_connection_caps_are_read_and_bounded() -> None:
    caps = {
        "CROUPIER_WS_CONNECTIONS_PER_ADDRESS_MAX": "3",
        "CROUPIER_WS_CONNECTIONS_PER_PLAYER_MAX": "2",
    }
    realtime = load_settings(caps).realtime
    assert (realtime.connections_per_address_max, realtime.connections_per_player_max) == (3, 2)
    for name in caps:
        with pytest.raises(ConfigError, match=name):
            load_settings({name: "0"})


def test_the_state_url_is_checked_at_start_up() -> None:
    assert load_settings({}).state_url == "memory://"
    for good in [
        "redis://127.0.0.1:6380/0",
        "rediss://:secret@cache.internal:6380/2?prefix=prod",
        "redis+sentinel://127.0.0.1:26379,[::1]:26380/croupier/1?prefix=prod",
    ]:
        secret = "ab" * 16
        shared = load_settings({"CROUPIER_STATE_URL": good, "CROUPIER_STATE_SECRET": secret})
        assert (shared.state_url, shared.state_secret) == (good, secret.encode())
        for short in [None, "ab" * 15]:  # none, or shorter than 128 bits of hex
            env = {"CROUPIER_STATE_URL": good} | ({"CROUPIER_STATE_SECRET": short} if short else {})
            with pytest.raises(ConfigError, match="CROUPIER_STATE_SECRET"):
                load_settings(env)
    for bad in [
        "memcached://127.0.0.1",
        "redis://127.0.0.1/0?prefix=a:b",
        "redis://127.0.0.1/0?colour=blue",
        "redis+sentinel://127.0.0.1/croupier",  # no port
        "redis+sentinel://127.0.0.1:26379",  # no master name
        "redis+sentinel://127.0.0.1:26379/croupier/zero",
    ]:
        with pytest.raises(ConfigError, match="CROUPIER_STATE_URL"):
            load_settings({"CROUPIER_STATE_URL": bad})


@pytest.mark.parametrize(
    "name",
    [
        "CROUPIER_ROULETTE_STAKE_MINOR_MIN",
        "CROUPIER_ROULETTE_STAKE_MINOR_MAX",
        "CROUPIER_ROULETTE_BETS_MAX",
    ],
)
def test_roulette_limits_set_the_old_way_stop_the_start_pointing_to_the_game_file(
    name: str,
) -> None:
    """They moved into european-roulette.toml, per currency: silently ignoring an operator's
    limit would let stakes through that the operator meant to refuse."""
    with pytest.raises(ConfigError, match=f"{name}.*european-roulette.toml"):
        load_settings({name: "50"})
