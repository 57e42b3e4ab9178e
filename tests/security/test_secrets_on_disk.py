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
import sqlite3
import time
import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pyotp
import pytest

from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from croupier.domain.staff import Role
from croupier.services.staff.ports import SessionStage
from tests.support.accounts import GOOD_PASSWORD
from tests.support.raw_sql import raw_fetch
from tests.support.staff import STAFF_PASSWORD
from tests.support.vault import KEK_ENV

pytestmark = pytest.mark.timeout(120)

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


def found_in(data: bytes, canary: Secrets) -> list[bytes]:
    lowered = data.lower()
    return [needle for needle in canary.needles() if needle.lower() in lowered]


def sqlite_files(path: Path) -> dict[str, bytes]:
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    return {str(file): file.read_bytes() for file in files if file.exists()}


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
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    checkpointed = sqlite_files(path)
    for moment, files in (("running", running), ("closed", closed), ("after", checkpointed)):
        for name, data in files.items():
            assert found_in(data, canary) == [], f"{moment}: a TOTP secret in {name}"
    # The rows are there, sealed: the test looked in the right place.
    sealed = await raw_fetch(url, "SELECT totp_secret_sealed FROM staff WHERE username = 'ada'")
    assert sealed != [(None,)] and len(bytes(sealed[0][0])) > 32


async def _pg_table_text(url: str) -> bytes:
    tables = await raw_fetch(
        url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
    )
    text = []
    for (table,) in tables:
        rows = await raw_fetch(url, f'SELECT t::text FROM "{table}" AS t')
        text.extend(row[0] for row in rows)
    return "\n".join(text).encode()


async def _pg_files_since(url: str, started: float) -> dict[str, bytes]:
    """The staff and player_totp relation files and the WAL written since ``started``, after
    a CHECKPOINT; empty when this user cannot read the data directory."""
    conn = await asyncpg.connect(url, timeout=10)
    try:
        await conn.execute("CHECKPOINT")
        root = Path(await conn.fetchval("SHOW data_directory"))
        relations = [
            await conn.fetchval("SELECT pg_relation_filepath($1)", name)
            for name in ("staff", "player_totp", "secrets_plaintext")
        ]
    except asyncpg.InsufficientPrivilegeError:
        return {}
    finally:
        await conn.close()
    try:
        wal = [
            f for f in (root / "pg_wal").iterdir() if f.is_file() and f.stat().st_mtime >= started
        ]
        files = [root / relation for relation in relations] + wal
        return {str(file): file.read_bytes() for file in files}
    except PermissionError:
        return {}


@pytest.mark.postgres
async def test_postgres_rows_and_files_hold_no_totp_secret(postgres_url: str) -> None:
    started = time.time() - 1
    async with enrolled(postgres_url) as (platform, canary):
        text = await _pg_table_text(postgres_url)
        login = await platform.staff.login(
            username="ada", password=STAFF_PASSWORD, code=_code(canary.staff, steps_later=1), ip=IP
        )
        assert login.stage is SessionStage.FULL
    assert found_in(text, canary) == []
    assert b"ada" in text and b"grace" in text  # the staff rows were read
    totp = await raw_fetch(postgres_url, "SELECT secret_sealed FROM player_totp")
    assert len(totp) == 1 and totp[0][0] is not None
    for name, data in (await _pg_files_since(postgres_url, started)).items():
        assert found_in(data, canary) == [], f"a TOTP secret in {name}"
