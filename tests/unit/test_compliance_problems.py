"""The compliance refusals as a client sees them: problem+json with their status and type,
and Retry-After on a spin that came too soon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from croupier.adapters.jurisdiction_files import load_profiles
from croupier.api.http.problems import install_problem_handlers
from croupier.domain.compliance import Location, check_spin_pace, check_stake, geo_decision
from croupier.domain.compliance.registry import JurisdictionProfiles

PROFILES = JurisdictionProfiles.build(load_profiles(), None)
T0 = datetime(2026, 12, 6, tzinfo=UTC)


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/spin")
    async def spin() -> None:
        check_spin_pace(PROFILES.get("de"), T0, now=T0 + timedelta(seconds=1))

    @app.get("/stake")
    async def stake() -> None:
        check_stake(PROFILES.get("de"), 200, "EUR", age_years=30)

    @app.get("/from-france")
    async def from_france() -> None:
        geo_decision(Location("FR", None, vpn_or_proxy=False, source="rir"), PROFILES.licences)

    return app


async def _get(path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


async def test_a_spin_too_soon_is_429_with_retry_after() -> None:
    answer = await _get("/spin")
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "4"
    assert answer.json()["type"].endswith("/spin-too-fast")
    assert answer.json()["retry_after_s"] == 4


async def test_a_stake_over_the_cap_is_422_stake_limit() -> None:
    answer = await _get("/stake")
    assert answer.status_code == 422
    assert answer.json()["type"].endswith("/stake-limit")


async def test_a_blocked_country_is_451_geo_blocked() -> None:
    answer = await _get("/from-france")
    assert answer.status_code == 451
    assert answer.json()["type"].endswith("/geo-blocked")
    assert "FR" in answer.json()["detail"]
