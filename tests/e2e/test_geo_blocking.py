"""Geo-blocking through a real server behind a trusted proxy: the client's address comes from
``X-Forwarded-For`` (``CROUPIER_TRUSTED_PROXIES=127.0.0.1``) and is placed by the sandbox
location provider's documentation ranges (docs/compliance.md). A blocked request gets 451
``geo-blocked`` and changes nothing: no player, no session, no money moved, no round."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from tests.support.platform import PASSWORD
from tests.support.server import running_server
from tests.support.ws import ws_client

pytestmark = pytest.mark.timeout(120)

NJ, NJ_TOO = "192.0.2.10", "192.0.2.11"
PA, NY, NJ_VPN = "192.0.2.200", "198.51.100.7", "203.0.113.5"
FRANCE, GREAT_BRITAIN, GERMANY = "2001:db8:250::1", "2001:db8:826::1", "2001:db8:276::1"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with running_server(
        f"sqlite:///{tmp_path}/ledger.db",
        CROUPIER_GEO_PROVIDER="sandbox",
        CROUPIER_TRUSTED_PROXIES="127.0.0.1",
    ) as base:
        yield base


def at(address: str, **headers: str) -> dict[str, str]:
    return {"X-Forwarded-For": address, **headers}


def registration(email: str, country: str, currency: str, **more: str) -> dict[str, str]:
    return {
        "email": email,
        "password": PASSWORD,
        "date_of_birth": "1990-04-01",
        "country": country,
        "currency": currency,
        **more,
    }


def assert_geo_blocked(response: httpx.Response) -> None:
    assert response.status_code == 451, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/geo-blocked")


def test_a_blocked_country_address_is_refused_at_registration(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        refused = client.post(
            "/v1/players", json=registration("fr@example.com", "FR", "EUR"), headers=at(FRANCE)
        )
        assert_geo_blocked(refused)
        # Registered in GB but asking from France: blocked too.
        abroad = registration("fr@example.com", "GB", "GBP")
        assert_geo_blocked(client.post("/v1/players", json=abroad, headers=at(FRANCE)))
        # Nothing was stored: the same email registers from Great Britain.
        home = client.post("/v1/players", json=abroad, headers=at(GREAT_BRITAIN))
        assert home.status_code == 201, home.text


def test_registration_follows_the_profile_age_currency_and_state(server: str) -> None:
    nineteen = date.today().replace(year=date.today().year - 20).isoformat()
    with httpx.Client(base_url=server, timeout=30) as client:
        young = registration("young@example.com", "US", "USD", region="NJ")
        young["date_of_birth"] = nineteen  # 18 is enough in Malta, not in New Jersey (21)
        refused = client.post("/v1/players", json=young, headers=at(NJ))
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"].endswith("/invalid-registration")
        assert "at least 21" in refused.json()["detail"]
        euros = registration("euros@example.com", "US-NJ", "EUR")
        refused = client.post("/v1/players", json=euros, headers=at(NJ))
        assert refused.status_code == 422 and "USD" in refused.json()["detail"], refused.text
        stateless = registration("stateless@example.com", "US", "USD")
        refused = client.post("/v1/players", json=stateless, headers=at(NJ))
        assert refused.status_code == 422 and "region" in refused.text, refused.text
        assert_geo_blocked(
            client.post(
                "/v1/players", json=registration("pa@example.com", "US-PA", "USD"), headers=at(PA)
            )
        )


def test_an_nj_player_outside_the_state_is_refused(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        created = client.post(
            "/v1/players",
            json=registration("nj@example.com", "US", "USD", region="NJ"),
            headers=at(NJ),
        )
        assert created.status_code == 201, created.text
        credentials = {"email": "nj@example.com", "password": PASSWORD}
        assert_geo_blocked(client.post("/v1/sessions", json=credentials, headers=at(PA)))
        session = client.post("/v1/sessions", json=credentials, headers=at(NJ))
        assert session.status_code == 201, session.text
        token = session.json()["token"]
        auth = {"Authorization": f"Bearer {token}"}

        def deposit(address: str, key: str) -> httpx.Response:
            return client.post(
                "/v1/wallet/deposits",
                json={"amount": 5_000},
                headers=at(address, **auth, **{"Idempotency-Key": key}),
            )

        assert_geo_blocked(deposit(NY, "deposit-from-ny"))
        assert deposit(NJ, "deposit-from-nj").status_code == 201

        def spin(address: str, key: str) -> httpx.Response:
            return client.post(
                "/v1/games/lotus-20/rounds",
                json={"stake": 100},
                headers=at(address, **auth, **{"Idempotency-Key": key}),
            )

        assert_geo_blocked(spin(NY, "spin-from-ny"))
        assert_geo_blocked(spin(NJ_VPN, "spin-from-vpn"))  # a VPN claiming New Jersey
        wallet = client.get("/v1/wallet", headers=at(NJ, **auth)).json()
        assert (wallet["cash"], wallet["pending"]) == (5_000, 0)  # nothing moved
        assert client.get("/v1/rounds", headers=at(NJ, **auth)).json()["items"] == []
        assert spin(NJ, "spin-from-nj").status_code == 201
        assert spin(NJ_TOO, "spin-from-nj-2").status_code == 201  # a new address: located
        assert_geo_blocked(spin(PA, "spin-from-pa"))  # and the cache is per address

        async def over_websocket() -> None:
            async with ws_client(server, token, headers=at(NY)) as ws:
                answer = await ws.request(
                    {"type": "round.start", "game_id": "lotus-20", "stake": 100}
                )
                assert answer["type"] == "error", answer
                assert (answer["error"]["code"], answer["error"]["status"]) == ("geo-blocked", 451)

        asyncio.run(over_websocket())
        assert len(client.get("/v1/rounds", headers=at(NJ, **auth)).json()["items"]) == 2


def test_production_refuses_a_loopback_client_unless_told(tmp_path: Path) -> None:
    """A PostgreSQL ledger is production: a client address on loopback means the proxy in
    front was not trusted, and is refused (CROUPIER_GEO_ALLOW_PRIVATE=0 says so on SQLite)."""
    with (
        running_server(f"sqlite:///{tmp_path}/ledger.db", CROUPIER_GEO_ALLOW_PRIVATE="0") as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        refused = client.post("/v1/players", json=registration("lo@example.com", "MT", "EUR"))
        assert_geo_blocked(refused)
        assert "CROUPIER_GEO_ALLOW_PRIVATE" in refused.json()["detail"]


def test_a_de_spin_too_soon_over_websocket_says_when_to_retry(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        german = registration("de-ws@example.com", "DE", "EUR")
        assert client.post("/v1/players", json=german, headers=at(GERMANY)).status_code == 201
        credentials = {"email": "de-ws@example.com", "password": PASSWORD}
        token = client.post("/v1/sessions", json=credentials, headers=at(GERMANY)).json()["token"]
        funding = at(GERMANY, Authorization=f"Bearer {token}")
        funding["Idempotency-Key"] = "de-ws-deposit"
        deposited = client.post("/v1/wallet/deposits", json={"amount": 5_000}, headers=funding)
        assert deposited.status_code == 201, deposited.text

    async def two_spins() -> None:
        async with ws_client(server, token, headers=at(GERMANY)) as ws:
            spin = {"type": "round.start", "game_id": "lotus-20", "stake": 100}
            played = await ws.request(dict(spin))
            assert played["type"] == "result", played
            early = await ws.request(dict(spin))  # within 5 s of the first
            assert early["type"] == "error", early
            assert (early["error"]["code"], early["error"]["status"]) == ("spin-too-fast", 429)
            assert early["error"]["retry_after_s"] in range(1, 6)

    asyncio.run(two_spins())
