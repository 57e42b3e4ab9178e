"""KYC is enforced by default where Croupier runs in production (a PostgreSQL ledger): a
German player on a platform configured with nothing but its key is refused a deposit and a
round with 403 ``kyc-required`` before verification. On SQLite (development) it is off by
default and the server says so at start, loudly."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from croupier.bootstrap import open_platform
from croupier.config import load_settings
from tests.integration.test_compliance_gate import client_at
from tests.support.platform import PASSWORD
from tests.support.vault import KEK_ENV

pytestmark = pytest.mark.timeout(120)

#: Nothing about KYC: the defaults apply. Loopback is taken to be in Germany.
ENV = {
    **{name: value for name, value in KEK_ENV.items() if name != "CROUPIER_KYC_ENFORCE"},
    "CROUPIER_GEO_HOME": "DE",
}


def test_postgresql_enforces_kyc_by_default_and_sqlite_does_not() -> None:
    assert load_settings({}, database_url="postgresql://127.0.0.1/croupier").kyc_aml.kyc_enforce
    told = {"CROUPIER_KYC_ENFORCE": "0"}
    assert not load_settings(told, database_url="postgresql://127.0.0.1/x").kyc_aml.kyc_enforce
    assert not load_settings({}, database_url="sqlite:///x.db").kyc_aml.kyc_enforce
    assert load_settings({"CROUPIER_KYC_ENFORCE": "1"}).kyc_aml.kyc_enforce


async def test_a_postgresql_platform_refuses_an_unverified_german_deposit_and_round(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="croupier.compliance")
    platform = await open_platform(load_settings(ENV, database_url=postgres_url))
    try:
        assert "KYC IS NOT ENFORCED" not in caplog.text
        async with client_at(platform, "127.0.0.1") as client:
            registration = {
                "email": "unverified@example.com",
                "password": PASSWORD,
                "date_of_birth": "1990-01-01",
                "country": "DE",
                "currency": "EUR",
            }
            assert (await client.post("/v1/players", json=registration)).status_code == 201
            session = await client.post(
                "/v1/sessions", json={"email": registration["email"], "password": PASSWORD}
            )
            auth = {"Authorization": f"Bearer {session.json()['token']}"}
            deposit = await client.post(
                "/v1/wallet/deposits",
                json={"amount": 10_00},
                headers={**auth, "Idempotency-Key": "kyc-dep-0001"},
            )
            assert deposit.status_code == 403, deposit.text
            assert deposit.json()["type"].endswith("/kyc-required")
            spin = await client.post(
                "/v1/games/lotus-20/rounds",
                json={"stake": 20},
                headers={**auth, "Idempotency-Key": "kyc-spin-0001"},
            )
            assert spin.status_code == 403, spin.text
            assert spin.json()["type"].endswith("/kyc-required")
            assert (await client.get("/v1/wallet", headers=auth)).json()["cash"] == 0
    finally:
        await platform.close()


async def test_sqlite_plays_unverified_and_says_so_at_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="croupier.compliance")
    database_url = f"sqlite:///{tmp_path}/ledger.db"
    platform = await open_platform(load_settings(ENV, database_url=database_url))
    try:
        assert platform.settings.kyc_aml.kyc_enforce is False
        assert "KYC IS NOT ENFORCED" in caplog.text and "SQLite" in caplog.text
    finally:
        await platform.close()
