"""Stake limits per currency over real HTTP and WebSocket: a player in a currency the game
lists plays within its limits; a stake below the minimum, above the maximum or in a currency
the game does not list is refused with a problem and moves nothing. The catalogue shows the
limits of every currency, as decimal amounts by the currency's ISO 4217 exponent too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from croupier.adapters.game_files import shipped_games
from croupier.adapters.jurisdiction_files import shipped_jurisdictions
from tests.support.platform import PASSWORD
from tests.support.server import running_server
from tests.support.ws import ws_client

pytestmark = pytest.mark.timeout(120)

#: An operator's slot playing in yen only: the yen has no minor unit, so 40 is 40 JPY.
YEN_LIMITS = "[limits.JPY]\nstake_min_minor = 40\nstake_max_minor = 2000\n"
YEN_CATALOGUE = (
    '[games.lotus-20-yen]\nrtp_basis = "exact"\nrtp = "94.61%"\nrtp_min_stake = "94.51%"\n'
)


def _games_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "games"
    folder.mkdir()
    lotus = shipped_games().joinpath("lotus-20.toml").read_text(encoding="utf-8")
    yen = lotus[: lotus.index("[limits.EUR]")].replace('"lotus-20"', '"lotus-20-yen"')
    (folder / "lotus-20-yen.toml").write_text(yen + YEN_LIMITS, encoding="utf-8")
    (folder / "catalogue.toml").write_text(YEN_CATALOGUE, encoding="utf-8")
    return folder


def _jurisdictions_folder(tmp_path: Path) -> Path:
    """The Maltese profile with yen accounts too (an operator's choice; docs/compliance.md):
    the players here register in MT, where loopback addresses are located."""
    folder = tmp_path / "jurisdictions"
    folder.mkdir()
    mga = shipped_jurisdictions().joinpath("mga.toml").read_text(encoding="utf-8")
    yen = mga.replace('currencies = ["EUR"]', 'currencies = ["EUR", "JPY"]')
    assert yen != mga
    (folder / "mga.toml").write_text(yen, encoding="utf-8")
    return folder


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with running_server(
        f"sqlite:///{tmp_path}/ledger.db",
        CROUPIER_GAMES_DIR=str(_games_folder(tmp_path)),
        CROUPIER_JURISDICTIONS_DIR=str(_jurisdictions_folder(tmp_path)),
    ) as base:
        yield base


def _player(client: httpx.Client, email: str, currency: str) -> dict[str, str]:
    created = client.post(
        "/v1/players",
        json={
            "email": email,
            "password": PASSWORD,
            "date_of_birth": "1990-04-01",
            "country": "MT",
            "currency": currency,
        },
    )
    assert created.status_code == 201, created.text
    session = client.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    assert session.status_code == 201, session.text
    auth = {"Authorization": f"Bearer {session.json()['token']}"}
    paid = client.post(
        "/v1/wallet/deposits",
        json={"amount": 1_000_000},
        headers={**auth, "Idempotency-Key": "deposit-0001"},
    )
    assert paid.status_code == 201, paid.text
    return auth


def _cash(client: httpx.Client, auth: dict[str, str]) -> tuple[int, int]:
    wallet = client.get("/v1/wallet", headers=auth).json()
    return wallet["cash"], wallet["pending"]


def _play(
    client: httpx.Client, auth: dict[str, str], game: str, key: str, body: dict[str, Any]
) -> httpx.Response:
    return client.post(
        f"/v1/games/{game}/rounds", json=body, headers={**auth, "Idempotency-Key": key}
    )


def _red(stake: int) -> dict[str, Any]:
    return {"bets": [{"type": "red", "stake": stake}]}


def test_stakes_are_checked_in_the_players_currency_over_http(server: str) -> None:
    with httpx.Client(base_url=server) as client:
        euro = _player(client, "euro@example.com", "EUR")
        yen = _player(client, "yen@example.com", "JPY")

        assert _play(client, euro, "lotus-20", "round-e-1", {"stake": 20}).status_code == 201
        wheel = _play(client, euro, "european-roulette", "round-e-2", _red(100_000))
        assert wheel.status_code == 201
        assert _play(client, yen, "lotus-20-yen", "round-y-1", {"stake": 40}).status_code == 201
        assert _play(client, yen, "lotus-20-yen", "round-y-2", {"stake": 2000}).status_code == 201
        before = {"euro": _cash(client, euro), "yen": _cash(client, yen)}

        refusals = [
            (euro, "lotus-20", {"stake": 10}, "invalid-bet", "0.20 to 100.00 EUR"),
            (euro, "lotus-20", {"stake": 10_020}, "invalid-bet", "0.20 to 100.00 EUR"),
            (euro, "european-roulette", _red(9), "invalid-bet", "0.10 to 1000.00 EUR"),
            (euro, "european-roulette", _red(100_001), "invalid-bet", "0.10 to 1000.00 EUR"),
            (euro, "lotus-20-yen", {"stake": 40}, "currency-not-offered", "in JPY, not EUR"),
            (yen, "lotus-20-yen", {"stake": 20}, "invalid-bet", "40 to 2000 JPY"),
            (yen, "lotus-20-yen", {"stake": 2020}, "invalid-bet", "40 to 2000 JPY"),
            (yen, "lotus-20", {"stake": 100}, "currency-not-offered", "EUR, GBP, USD, not JPY"),
            (yen, "european-roulette", _red(100), "currency-not-offered", "not JPY"),
        ]
        for n, (auth, game, body, code, detail) in enumerate(refusals):
            refused = _play(client, auth, game, f"refused-{n:04d}", body)
            assert refused.status_code == 422, (game, body, refused.text)
            problem = refused.json()
            assert problem["type"].endswith(f"/{code}") and detail in problem["detail"], problem
        assert {"euro": _cash(client, euro), "yen": _cash(client, yen)} == before
        history = client.get("/v1/rounds", headers=yen).json()
        assert len(history["items"]) == 2  # the refused rounds left no record


async def test_stakes_are_checked_in_the_players_currency_over_websocket(server: str) -> None:
    with httpx.Client(base_url=server) as client:
        yen = _player(client, "ws-yen@example.com", "JPY")
        before = _cash(client, yen)
    token = yen["Authorization"].removeprefix("Bearer ")
    async with ws_client(server, token) as ws:
        start = {"type": "round.start", "game_id": "lotus-20-yen"}
        played = await ws.request({**start, "request_id": "ws-yen-0001", "stake": 40})
        assert played["type"] == "result" and played["data"]["currency"] == "JPY", played
        for n, (game, stake, code) in enumerate(
            [
                ("lotus-20-yen", 20, "invalid-bet"),
                ("lotus-20-yen", 4000, "invalid-bet"),
                ("lotus-20", 100, "currency-not-offered"),
            ]
        ):
            refused = await ws.request(
                {**start, "game_id": game, "request_id": f"ws-yen-bad-{n}", "stake": stake}
            )
            assert refused["type"] == "error", refused
            assert (refused["error"]["code"], refused["error"]["status"]) == (code, 422)
    with httpx.Client(base_url=server) as client:
        cash, pending = _cash(client, yen)
    assert (cash, pending) == (before[0] - 40 + played["data"]["win"], 0)


def test_the_catalogue_shows_the_limits_of_every_currency(server: str) -> None:
    items = {item["id"]: item for item in httpx.get(f"{server}/v1/games").json()["items"]}
    lotus = items["lotus-20"]
    assert [limit["currency"] for limit in lotus["limits"]] == ["EUR", "GBP", "USD"]
    assert lotus["limits"][0] == {
        "currency": "EUR",
        "stake_min_minor": 20,
        "stake_max_minor": 10000,
        "stake_min": "0.20",
        "stake_max": "100.00",
    }
    assert (lotus["currency"], lotus["stake_min_minor"], lotus["stake_max_minor"]) == (
        None,
        20,
        10000,
    )
    yen = items["lotus-20-yen"]
    assert yen["currency"] == "JPY"
    assert yen["limits"] == [
        {
            "currency": "JPY",
            "stake_min_minor": 40,
            "stake_max_minor": 2000,
            "stake_min": "40",
            "stake_max": "2000",
        }
    ]
    assert items["european-roulette"]["limits"][0]["stake_max"] == "1000.00"  # per bet
    assert items["blackjack-6d-s17"]["limits"] == [
        {
            "currency": "EUR",
            "stake_min_minor": 100,
            "stake_max_minor": 50000,
            "stake_min": "1.00",
            "stake_max": "500.00",
        }
    ]
    assert items["holdem-nl-50-100"]["limits"] == []
