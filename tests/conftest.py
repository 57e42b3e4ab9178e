"""Shared fixtures. Tests that need an external service skip when it is unreachable, or fail
when ``CROUPIER_REQUIRE_SERVICES=1`` (as in CI), so a missing service is never a silent pass."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, settings

from tests.support.vault import TEST_CARD_KEK_HEX, TEST_KEK_HEX

# The machine is shared and its speed varies 2× and more: Hypothesis's wall-clock checks (a
# 200 ms deadline per example, "too slow" data generation) fail on load, not on a bug. The
# examples and their count stay as each test sets them.
settings.register_profile("croupier", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("croupier")

# Servers and commands the tests start in subprocesses need a key-encryption key on
# PostgreSQL (docs/security.md); in-process tests pass tests.support.vault.KEK_ENV.
os.environ.setdefault("CROUPIER_KEK", TEST_KEK_HEX)
os.environ.setdefault("CROUPIER_CARD_KEK", TEST_CARD_KEK_HEX)
# Their clients are on loopback, which PostgreSQL (production) refuses as unlocatable: here
# they are at CROUPIER_GEO_HOME (docs/compliance.md); a test of the refusal sets 0.
os.environ.setdefault("CROUPIER_GEO_ALLOW_PRIVATE", "1")
# PostgreSQL (production) enforces KYC by default: the suites' players play unverified, as
# on SQLite; the tests of KYC itself set 1 (tests/integration/test_kyc_enforced_default.py
# proves the default).
os.environ.setdefault("CROUPIER_KYC_ENFORCE", "0")

POSTGRES_ADMIN_DSN = os.environ.get(
    "CROUPIER_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)


def services_required() -> bool:
    return os.environ.get("CROUPIER_REQUIRE_SERVICES") == "1"


def service_unavailable(reason: str) -> None:
    if services_required():
        pytest.fail(f"{reason} (CROUPIER_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def _dsn_with_database(dsn: str, database: str) -> str:
    return dsn.rsplit("/", 1)[0] + "/" + database


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    import asyncpg

    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        service_unavailable(f"PostgreSQL unreachable at {POSTGRES_ADMIN_DSN}: {error}")
    name = f"croupier_t_{secrets.token_hex(6)}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield _dsn_with_database(POSTGRES_ADMIN_DSN, name)
    finally:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    """The URL of an empty ledger database on each backend (the contract runs on both)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/ledger.db"
    return str(request.getfixturevalue("postgres_url"))
