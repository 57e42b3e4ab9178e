"""The jurisdiction profiles applied to rounds through the player API, in process on both
engines with the compliance clock injected: a UK player spinning sooner than 2.5 s gets 429
``spin-too-fast`` with ``Retry-After`` and plays once the wait is over (two spins at once:
one passes); a German player staking over EUR 1 a spin gets 422 ``stake-limit`` and cannot
play roulette; a UK player under 25 has the GBP 2 cap. Each client's address is a sandbox
location (docs/compliance.md): the HTTP client stands where its address says."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from croupier.api.http.app import create_app
from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from tests.support.platform import PASSWORD
from tests.support.vault import KEK_ENV

pytestmark = pytest.mark.timeout(120)

GB = "2001:db8:826::10"
DE = "2001:db8:276::10"
SLOT = "lotus-20"  # 20 lines: stakes are multiples of 20 minor units


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 6, 1, 12, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[tuple[Platform, Clock]]:
    settings = load_settings(
        {**KEK_ENV, "CROUPIER_GEO_PROVIDER": "sandbox"}, database_url=database_url
    )
    opened = await open_platform(settings)
    clock = Clock()
    assert opened.compliance is not None
    opened.compliance.clock = clock
    try:
        yield opened, clock
    finally:
        await opened.close()


@asynccontextmanager
async def client_at(platform: Platform, address: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(platform.settings, platform=platform)
    app.state.platform = platform  # the lifespan (which sets it) does not run in process
    transport = httpx.ASGITransport(app, client=(address, 40_000))
    async with httpx.AsyncClient(transport=transport, base_url="http://croupier") as client:
        yield client


async def player(
    client: httpx.AsyncClient, email: str, country: str, currency: str, born: str = "1990-01-01"
) -> dict[str, str]:
    """Registered, logged in and funded with 100.00: the bearer and idempotency headers."""
    registration = {
        "email": email,
        "password": PASSWORD,
        "date_of_birth": born,
        "country": country,
        "currency": currency,
    }
    created = await client.post("/v1/players", json=registration)
    assert created.status_code == 201, created.text
    session = await client.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    assert session.status_code == 201, session.text
    auth = {"Authorization": f"Bearer {session.json()['token']}"}
    funding = {**auth, "Idempotency-Key": "deposit-0001"}
    deposit = await client.post("/v1/wallet/deposits", json={"amount": 10_000}, headers=funding)
    assert deposit.status_code == 201, deposit.text
    return auth


async def spin(
    client: httpx.AsyncClient, auth: dict[str, str], key: str, stake: int, game: str = SLOT
) -> httpx.Response:
    body: dict[str, Any] = {"stake": stake}
    if game == "european-roulette":
        body = {"bets": [{"type": "red", "stake": stake}]}
    return await client.post(
        f"/v1/games/{game}/rounds", json=body, headers={**auth, "Idempotency-Key": key}
    )


async def cash(client: httpx.AsyncClient, auth: dict[str, str]) -> int:
    wallet = await client.get("/v1/wallet", headers=auth)
    return int(wallet.json()["cash"])


async def test_a_uk_spin_sooner_than_2_5_s_waits_then_plays(
    platform: tuple[Platform, Clock],
) -> None:
    opened, clock = platform
    async with client_at(opened, GB) as client:
        auth = await player(client, "uk-pace@example.com", "GB", "GBP")
        first = await spin(client, auth, "spin-0001", 20)
        assert first.status_code == 201, first.text
        balance = await cash(client, auth)

        clock.now += timedelta(milliseconds=1_000)
        early = await spin(client, auth, "spin-0002", 20)
        assert early.status_code == 429, early.text
        assert early.json()["type"].endswith("/spin-too-fast")
        assert early.headers["Retry-After"] == "2"  # 1.5 s left, rounded up
        assert await cash(client, auth) == balance  # nothing moved

        clock.now += timedelta(milliseconds=1_499)
        assert (await spin(client, auth, "spin-0003", 20)).status_code == 429  # 1 ms early
        clock.now += timedelta(milliseconds=1)
        on_time = await spin(client, auth, "spin-0004", 20)
        assert on_time.status_code == 201, on_time.text


async def test_two_uk_spins_at_once_only_one_passes(platform: tuple[Platform, Clock]) -> None:
    opened, _ = platform
    async with client_at(opened, GB) as client:
        auth = await player(client, "uk-race@example.com", "GB", "GBP")
        answers = await asyncio.gather(*(spin(client, auth, f"race-{n:04}", 20) for n in range(4)))
    assert sorted(answer.status_code for answer in answers) == [201, 429, 429, 429]


async def test_a_spin_refused_for_funds_does_not_count_for_the_pace(
    platform: tuple[Platform, Clock],
) -> None:
    opened, _ = platform
    email = "uk-short@example.com"
    async with client_at(opened, GB) as client:
        registration = {"email": email, "password": PASSWORD, "date_of_birth": "1990-01-01"}
        created = await client.post(
            "/v1/players", json={**registration, "country": "GB", "currency": "GBP"}
        )
        assert created.status_code == 201, created.text
        session = await client.post("/v1/sessions", json={"email": email, "password": PASSWORD})
        auth = {"Authorization": f"Bearer {session.json()['token']}"}
        funding = {**auth, "Idempotency-Key": "deposit-0001"}
        deposit = await client.post("/v1/wallet/deposits", json={"amount": 30}, headers=funding)
        assert deposit.status_code == 201, deposit.text
        short = await spin(client, auth, "short-0001", 40)
        assert short.status_code == 409, short.text  # more than the balance: nothing written
        # The clock has not moved: the refused spin was given back, so this one plays.
        assert (await spin(client, auth, "short-0002", 20)).status_code == 201


async def test_a_de_stake_over_one_euro_is_refused(platform: tuple[Platform, Clock]) -> None:
    opened, clock = platform
    async with client_at(opened, DE) as client:
        auth = await player(client, "de-stake@example.com", "DE", "EUR")
        over = await spin(client, auth, "de-spin-0001", 120)
        assert over.status_code == 422, over.text
        assert over.json()["type"].endswith("/stake-limit"), over.text
        assert await cash(client, auth) == 10_000
        assert (await spin(client, auth, "de-spin-0002", 100)).status_code == 201
        clock.now += timedelta(seconds=4)
        paced = await spin(client, auth, "de-spin-0003", 100)
        assert paced.status_code == 429 and paced.headers["Retry-After"] == "1"
        clock.now += timedelta(seconds=1)
        assert (await spin(client, auth, "de-spin-0004", 100)).status_code == 201
        roulette = await spin(client, auth, "de-spin-0005", 100, game="european-roulette")
        assert roulette.status_code == 404, roulette.text
        assert roulette.json()["type"].endswith("/game-not-offered")


async def test_a_uk_player_under_25_has_the_lower_stake_cap(
    platform: tuple[Platform, Clock],
) -> None:
    opened, clock = platform
    young = (clock.now.date() - timedelta(days=22 * 366)).isoformat()
    assert date.fromisoformat(young) < clock.now.date()
    async with client_at(opened, GB) as client:
        auth = await player(client, "uk-young@example.com", "GB", "GBP", born=young)
        over = await spin(client, auth, "young-0001", 220)
        assert over.status_code == 422 and over.json()["type"].endswith("/stake-limit")
        assert (await spin(client, auth, "young-0002", 200)).status_code == 201
        older = await player(client, "uk-older@example.com", "GB", "GBP")
        assert (await spin(client, older, "older-0001", 220)).status_code == 201


async def test_a_retry_of_a_paced_spin_gets_its_round_not_a_refusal(
    platform: tuple[Platform, Clock],
) -> None:
    opened, _ = platform
    async with client_at(opened, GB) as client:
        auth = await player(client, "uk-retry@example.com", "GB", "GBP")
        # The same key twice at once (a client retrying while its first try is in flight):
        # both answers are the one round, though the second waited past its pace check.
        answers = await asyncio.gather(*(spin(client, auth, "retry-0001", 20) for _ in range(2)))
        assert [answer.status_code for answer in answers] == [201, 201]
        assert answers[0].json()["round_id"] == answers[1].json()["round_id"]
        again = await spin(client, auth, "retry-0001", 20)
        assert again.status_code == 201 and again.json() == answers[0].json()
        assert (await spin(client, auth, "retry-0002", 20)).status_code == 429


async def test_an_nj_player_s_state_is_stored_and_located_at_login(
    platform: tuple[Platform, Clock],
) -> None:
    opened, _ = platform
    async with client_at(opened, "192.0.2.10") as client:  # New Jersey
        await player(client, "nj-state@example.com", "US-NJ", "USD", born="1980-01-01")
    stored = await opened.players.find_by_email("nj-state@example.com")
    assert stored is not None and (stored.player.country, stored.player.state) == ("US", "NJ")
    async with client_at(opened, "192.0.2.200") as client:  # Pennsylvania
        login = {"email": "nj-state@example.com", "password": PASSWORD}
        refused = await client.post("/v1/sessions", json=login)
        assert refused.status_code == 451 and refused.json()["type"].endswith("/geo-blocked")
