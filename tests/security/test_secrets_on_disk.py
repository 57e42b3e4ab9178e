"""TOTP secrets on disk: a staff member and a player enrol TOTP through the services, then the
database is read raw, as someone holding a copy of it (and not the key) would. Whoever read
a TOTP secret could make every code of that second factor.

SQLite: the main file, its -wal and -shm, while the server runs and after a checkpoint.
PostgreSQL: every table's rows as text, and, when this user can read them, the relation
files and the WAL segments written meanwhile (after a CHECKPOINT).
"""

from __future__ import annotations

import base64
import secrets
import time
import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest

from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from croupier.domain.staff import Role
from croupier.services.staff.ports import SessionStage
from tests.support.accounts import GOOD_PASSWORD
from tests.support.on_disk import (
    found_in,
    postgres_files_since,
    postgres_table_text,
    sqlite_checkpoint,
    sqlite_files,
)
from tests.support.raw_sql import raw_fetch
from tests.support.staff import STAFF_PASSWORD
from tests.support.vault import KEK_ENV

pytestmark = pytest.mark.timeout(120)

#: The tables whose files are read raw on PostgreSQL.
SEALED_TABLES = ("staff", "player_totp", "secrets_plaintext")

IP = "192.0.2.9"


@dataclass(frozen=True)
class Secrets:
    """The TOTP secrets (base32) that must not be found: a confirmed staff one, one offered
    to a staff member who has not confirmed yet, and a confirmed player one."""

    staff: str
    staff_pending: str
    player: str

    def needles(self) -> list[bytes]:
        found = []
        for secret in (self.staff, self.staff_pending, self.player):
            found += [secret.encode(), base64.b32decode(secret + "=" * (-len(secret) % 8))]
        return found


def _secret_of(otpauth_uri: str) -> str:
    return urllib.parse.parse_qs(urllib.parse.urlparse(otpauth_uri).query)["secret"][0]


def _code(secret: str, *, steps_later: int = 0) -> str:
    """The code an authenticator shows now (or a step later: a code is good once, and one
    step of drift is accepted)."""
    return pyotp.TOTP(secret).at(datetime.now(UTC).timestamp() + 30 * steps_later)


async def _staff_enrolled(platform: Platform, username: str, *, confirm: bool) -> str:
    staff = platform.staff
    member = await staff.create(
        username=username, password=STAFF_PASSWORD, role=Role.ADMIN, actor="system", source_ip=None
    )
    first = await staff.login(username=username, password=STAFF_PASSWORD, code=None, ip=IP)
    secret = _secret_of((await staff.enrol(member.staff_id, source_ip=IP)).otpauth_uri)
    if confirm:
        await staff.confirm(member.staff_id, _code(secret), token=first.token, source_ip=IP)
        _, session = await staff.authenticate(first.token)
        assert session.stage is SessionStage.FULL
    return secret


async def _player_enrolled(platform: Platform) -> str:
    email = f"totp-{secrets.token_hex(4)}@example.com"
    player = await platform.accounts.register(
        email=email,
        password=GOOD_PASSWORD,
        date_of_birth="1990-04-01",
        country="DE",
        currency="EUR",
        ip=IP,
    )
    enrolment = await platform.accounts.totp.enrol(player, ip=IP)
    await platform.accounts.totp.confirm(player, _code(enrolment.secret), ip=IP)
    assert await platform.accounts.totp.enabled(player.player_id)
    return enrolment.secret


@asynccontextmanager
async def enrolled(url: str) -> AsyncIterator[tuple[Platform, Secrets]]:
    """A platform where a staff member and a player have TOTP on, and another staff member
    has been offered a secret."""
    env = {} if url.startswith("sqlite") else KEK_ENV  # SQLite: the generated key file
    platform = await open_platform(load_settings(env, database_url=url))
    try:
        staff = await _staff_enrolled(platform, "ada", confirm=True)
        pending = await _staff_enrolled(platform, "grace", confirm=False)
        player = await _player_enrolled(platform)
        yield platform, Secrets(staff, pending, player)
    finally:
        await platform.close()


async def test_sqlite_files_hold_no_totp_secret(tmp_path: Path) -> None:
    path = tmp_path / "croupier.db"
    url = f"sqlite:///{path}"
    async with enrolled(url) as (platform, canary):
        running = sqlite_files(path)
        assert any(name.endswith("-wal") for name in running)  # the WAL was read too
        # The secrets are sealed, not lost: a code of the staff member's app logs them in.
        login = await platform.staff.login(
            username="ada", password=STAFF_PASSWORD, code=_code(canary.staff, steps_later=1), ip=IP
        )
        assert login.stage is SessionStage.FULL
    closed = sqlite_files(path)
    sqlite_checkpoint(path)
    checkpointed = sqlite_files(path)
    for moment, files in (("running", running), ("closed", closed), ("after", checkpointed)):
        for name, data in files.items():
            assert found_in(data, canary.needles()) == [], f"{moment}: a TOTP secret in {name}"
    # The rows are there, sealed: the test looked in the right place.
    sealed = await raw_fetch(url, "SELECT totp_secret_sealed FROM staff WHERE username = 'ada'")
    assert sealed != [(None,)] and len(bytes(sealed[0][0])) > 32


@pytest.mark.postgres
async def test_postgres_rows_and_files_hold_no_totp_secret(postgres_url: str) -> None:
    started = time.time() - 1
    async with enrolled(postgres_url) as (platform, canary):
        text = await postgres_table_text(postgres_url)
        login = await platform.staff.login(
            username="ada", password=STAFF_PASSWORD, code=_code(canary.staff, steps_later=1), ip=IP
        )
        assert login.stage is SessionStage.FULL
    assert found_in(text, canary.needles()) == []
    assert b"ada" in text and b"grace" in text  # the staff rows were read
    totp = await raw_fetch(postgres_url, "SELECT secret_sealed FROM player_totp")
    assert len(totp) == 1 and totp[0][0] is not None
    for name, data in (
        await postgres_files_since(
            postgres_url, ("staff", "player_totp", "secrets_plaintext"), started
        )
    ).items():
        assert found_in(data, canary.needles()) == [], f"a TOTP secret in {name}"
