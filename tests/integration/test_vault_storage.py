"""Encryption at rest on both engines: players' PII and active server seeds sealed in the
tables, found and read through the stores as before; migration 0009 seals existing rows;
``croupier keys`` rotates the KEK without losing a value (TOTP secrets included)."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from croupier.adapters.storage.migrations import migration_scripts
from croupier.adapters.vault.kek import read_key_file, write_key_file
from croupier.bootstrap import (
    make_player_store,
    make_seed_pair_store,
    make_staff_store,
    open_vault,
)
from croupier.cli import app
from croupier.config import Settings, load_settings
from croupier.domain.accounts import Player
from croupier.domain.staff import Role
from croupier.security_wiring import make_security_store
from croupier.services.accounts import EmailTaken
from croupier.services.fairness import FairnessService
from croupier.services.staff.ports import StaffMember, StaffStatus, StoredStaff
from tests.support.accounts import GOOD_PASSWORD, SettableClock, open_accounts
from tests.support.ledger import open_test_ledger
from tests.support.raw_sql import raw_execute, raw_fetch
from tests.support.vault import open_test_vault

pytestmark = pytest.mark.timeout(120)

EMAIL = "Ada.Lovelace@Example.com"
SEED = "5eed" * 16


async def test_players_are_sealed_yet_found_by_email(database_url: str) -> None:
    async with open_accounts(database_url, clock=SettableClock()) as accounts:
        player = await accounts.register(
            email=EMAIL,
            password=GOOD_PASSWORD,
            date_of_birth="1990-04-01",
            country="DE",
            currency="EUR",
            ip="192.0.2.1",
        )
        with pytest.raises(EmailTaken):  # the unique blind index refuses a case variant
            await accounts.register(
                email=EMAIL.upper(),
                password=GOOD_PASSWORD,
                date_of_birth="1991-01-01",
                country="DE",
                currency="EUR",
                ip="192.0.2.1",
            )
        session = await accounts.login(email=EMAIL, password=GOOD_PASSWORD, ip="192.0.2.1")
        assert (await accounts.authenticate(session.token)).email == "ada.lovelace@example.com"
        stored = await accounts.store.get_player(player.player_id)
        assert stored is not None and str(stored.date_of_birth) == "1990-04-01"
    rows = await raw_fetch(
        database_url, "SELECT email_index, email_sealed, date_of_birth_sealed FROM players"
    )
    index, email_sealed, born_sealed = rows[0]
    assert len(index) == 64 and "ada" not in index
    assert b"lovelace" not in bytes(email_sealed) and b"1990" not in bytes(born_sealed)


async def _schema_before_0009(url: str) -> None:
    dialect = "sqlite" if url.startswith("sqlite") else "postgres"
    script = "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at_ms BIGINT);"
    for version, sql in migration_scripts(dialect):
        if version < 9:
            script += f"\n{sql}\nINSERT INTO schema_migrations VALUES ({version}, 0);"
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).touch(mode=0o600)
    await raw_execute(url, script)


async def test_migration_0009_seals_existing_players_and_active_seeds(database_url: str) -> None:
    await _schema_before_0009(database_url)
    await raw_execute(
        database_url,
        "INSERT INTO players (id, email, password_hash, date_of_birth, country, currency, "
        "created_at_ms) VALUES ('p-old', 'ada@example.com', 'x', '1980-02-29', 'DE', 'EUR', 1);"
        "INSERT INTO seed_pairs (player_id, server_seed, server_seed_hash, client_seed, "
        f"next_nonce, created_at_ms) VALUES ('p-old', '{SEED}', '{'0' * 64}', 'c', 0, 1);",
    )
    ledger = await open_test_ledger(database_url)  # the writer applies 0009
    try:
        vault = await open_test_vault(database_url)
        for _ in range(2):  # opening again finds nothing more to seal
            players = make_player_store(database_url, vault)
            seeds = make_seed_pair_store(database_url, vault)
            await players.open()
            await seeds.open()
            try:
                found = await players.find_by_email("ada@example.com")
                assert found is not None and found.player.player_id == "p-old"
                assert str(found.player.date_of_birth) == "1980-02-29"
                active = await seeds.active("p-old")
                assert active is not None and active.pair.server_seed == SEED
            finally:
                await seeds.close()
                await players.close()
    finally:
        await ledger.close()
    assert await raw_fetch(database_url, "SELECT * FROM players_plaintext") == []
    assert await raw_fetch(database_url, "SELECT server_seed FROM seed_pairs") == [(None,)]
    if database_url.startswith("sqlite:///"):  # no page of the file keeps the old clear text
        path = Path(database_url.removeprefix("sqlite:///"))
        for file in (path, path.with_name(path.name + "-wal")):
            data = file.read_bytes() if file.exists() else b""
            assert b"ada@example.com" not in data and b"1980-02-29" not in data
            assert SEED.encode() not in data


async def test_a_rotation_reveals_the_old_seed_in_clear_and_seals_the_new(
    database_url: str,
) -> None:
    async with open_accounts(database_url, clock=SettableClock()) as accounts:
        player = await accounts.register(
            email=EMAIL,
            password=GOOD_PASSWORD,
            date_of_birth="1990-04-01",
            country="DE",
            currency="EUR",
            ip="192.0.2.1",
        )
        seeds = make_seed_pair_store(database_url, await open_test_vault(database_url))
        await seeds.open()
        try:
            fairness = FairnessService(seeds, accounts.ledger, clock_ms=lambda: 1_800_000_000_000)
            first = await fairness.current(player)
            rotation = await fairness.rotate(player)
            revealed = await fairness.revealed_seed(rotation.revealed.pair_id)
        finally:
            await seeds.close()
    assert (
        revealed is not None and rotation.revealed.pair.server_seed_hash == first.server_seed_hash
    )
    rows = await raw_fetch(
        database_url, "SELECT id, server_seed, server_seed_sealed FROM seed_pairs ORDER BY id"
    )
    assert rows[0][1:] == (revealed, None)  # public now: verifiable straight from the table
    assert rows[1][0] == rotation.current.pair_id and rows[1][1] is None
    assert rotation.current.pair.server_seed.encode() not in bytes(rows[1][2])


async def _insert_player(url: str, settings: Settings) -> None:
    players = make_player_store(url, await open_vault(settings))
    await players.open()
    try:
        born, at = date(1990, 4, 1), datetime(2026, 1, 1, tzinfo=UTC)
        await players.insert_player(Player("p-1", "ada@example.com", "DE", "EUR", born, at), "h")
    finally:
        await players.close()


STAFF_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PLAYER_TOTP = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"


async def _insert_totp_secrets(url: str, settings: Settings) -> None:
    """A staff member and the player p-1 with TOTP on (their secrets sealed)."""
    vault = await open_vault(settings)
    staff, security = make_staff_store(url, vault), make_security_store(url, vault)
    await staff.open()
    await security.open()
    try:
        at = datetime(2026, 1, 1, tzinfo=UTC)
        member = StaffMember("s-1", "ada", Role.ADMIN, StaffStatus.ENROLLING, at)
        await staff.insert_staff(StoredStaff(member, "h"))
        await staff.set_pending_enrolment("s-1", STAFF_TOTP, [])
        assert await staff.confirm_enrolment("s-1", STAFF_TOTP, 1)
        assert await security.begin_totp("p-1", PLAYER_TOTP, [], at=at)
    finally:
        await security.close()
        await staff.close()


async def _totp_secrets_of(url: str, settings: Settings) -> tuple[str | None, str | None]:
    vault = await open_vault(settings)
    staff, security = make_staff_store(url, vault), make_security_store(url, vault)
    await staff.open()
    await security.open()
    try:
        stored, totp = await staff.get_staff("s-1"), await security.get_totp("p-1")
    finally:
        await security.close()
        await staff.close()
    return (None if stored is None else stored.totp_secret), (None if totp is None else totp.secret)


async def _email_of(url: str, settings: Settings) -> str | None:
    players = make_player_store(url, await open_vault(settings))
    await players.open()
    try:
        found = await players.find_by_email("ada@example.com")
    finally:
        await players.close()
    return None if found is None else found.player.email


async def _keys(*args: str, env: dict[str, str | None]) -> tuple[int, str]:
    done = await asyncio.to_thread(CliRunner().invoke, app, ["keys", *args], env=env)
    return done.exit_code, done.stdout


async def test_keys_rotate_rewraps_under_a_new_key_file(database_url: str, tmp_path: Path) -> None:
    key_file = tmp_path / "croupier.key"
    write_key_file(key_file, os.urandom(32))
    old_kek = read_key_file(key_file)
    env: dict[str, str | None] = {
        "CROUPIER_KEY_FILE": str(key_file),
        "CROUPIER_KEK": None,
        "CROUPIER_DATABASE_URL": database_url,
    }
    settings = load_settings({"CROUPIER_KEY_FILE": str(key_file)}, database_url=database_url)
    ledger = await open_test_ledger(database_url)
    try:
        await _insert_player(database_url, settings)
        await _insert_totp_secrets(database_url, settings)
    finally:
        await ledger.close()

    code, out = await _keys("rotate", env=env)
    assert code == 0, out
    rotated = json.loads(out.splitlines()[0])
    assert rotated["rewrapped"] == 2 and rotated["backup"] is not None
    assert read_key_file(Path(rotated["backup"])) == old_kek
    assert read_key_file(key_file) != old_kek
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    code, out = await _keys("status", env=env)
    status = json.loads(out)
    assert code == 0 and status["readable"] and status["kek"]["id"] == rotated["kek_id"]
    assert await _email_of(database_url, settings) == "ada@example.com"
    assert await _totp_secrets_of(database_url, settings) == (STAFF_TOTP, PLAYER_TOTP)

    code, out = await _keys("rotate", "--data-keys", env=env)
    assert code == 0, out
    assert await _email_of(database_url, settings) == "ada@example.com"  # the old data key
    assert await _totp_secrets_of(database_url, settings) == (STAFF_TOTP, PLAYER_TOTP)
    code, out = await _keys("status", env={**env, "CROUPIER_KEY_FILE": rotated["backup"]})
    assert code == 1 and not json.loads(out)["readable"]  # the old KEK opens nothing now


async def test_the_unique_blind_index_refuses_a_second_row_of_one_email(
    database_url: str,
) -> None:
    """The race the service's check cannot see: two inserts of one email, the second refused
    by the unique constraint on the blind index."""
    ledger = await open_test_ledger(database_url)
    players = make_player_store(database_url, await open_test_vault(database_url))
    await players.open()
    try:
        born, at = date(1990, 4, 1), datetime(2026, 1, 1, tzinfo=UTC)
        await players.insert_player(Player("p-1", "ada@example.com", "DE", "EUR", born, at), "h")
        with pytest.raises(EmailTaken):
            await players.insert_player(
                Player("p-2", "ada@example.com", "FR", "EUR", born, at), "h"
            )
        assert await players.get_player("p-2") is None
    finally:
        await players.close()
        await ledger.close()
