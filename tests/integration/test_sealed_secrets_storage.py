"""The TOTP secrets sealed by the vault, on both engines: a database whose staff and players
enrolled TOTP before migration 0012 (secrets in clear) has them sealed when the stores first
open, idempotently, and the secrets still check codes; a sealed secret does not open for
another row."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from croupier.adapters.storage.migrations import migration_scripts
from croupier.adapters.vault import UndecryptableValue
from croupier.bootstrap import make_staff_store
from croupier.domain.staff import Role
from croupier.security_wiring import make_security_store
from croupier.services.staff.ports import StaffMember, StaffStatus, StoredStaff
from tests.support.ledger import open_test_ledger
from tests.support.raw_sql import raw_execute, raw_fetch
from tests.support.vault import open_test_vault

pytestmark = pytest.mark.timeout(120)

STAFF_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PENDING_SECRET = "KRUGS4ZANFZSA5DIMUQHGZLDOJSXIIDP"
PLAYER_SECRET = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"


async def _schema_before_0012(url: str) -> None:
    dialect = "sqlite" if url.startswith("sqlite") else "postgres"
    script = "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at_ms BIGINT);"
    for version, sql in migration_scripts(dialect):
        if version < 12:
            script += f"\n{sql}\nINSERT INTO schema_migrations VALUES ({version}, 0);"
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).touch(mode=0o600)
    await raw_execute(url, script)


async def test_migration_0012_seals_existing_totp_secrets(database_url: str) -> None:
    url = database_url
    await _schema_before_0012(url)
    await raw_execute(
        url,
        "INSERT INTO staff (id, username, role, password_hash, status, totp_secret, "
        f"totp_last_step, created_at_ms) VALUES ('s-old', 'ada', 'admin', 'h', 'active', "
        f"'{STAFF_SECRET}', 5, 1);"
        "INSERT INTO staff (id, username, role, password_hash, status, pending_totp_secret, "
        f"created_at_ms) VALUES ('s-new', 'grace', 'support', 'h', 'enrolling', "
        f"'{PENDING_SECRET}', 1);"
        "INSERT INTO players (id, email_index, password_hash, country, currency, created_at_ms) "
        "VALUES ('p-old', 'pending:p-old', 'h', 'DE', 'EUR', 1);"
        "INSERT INTO player_totp (player_id, secret, created_at_ms, confirmed_at_ms, last_step) "
        f"VALUES ('p-old', '{PLAYER_SECRET}', 1, 2, 7);",
    )
    ledger = await open_test_ledger(url)  # the writer applies 0012
    try:
        vault = await open_test_vault(url)
        for _ in range(2):  # opening again finds nothing more to seal
            staff, security = make_staff_store(url, vault), make_security_store(url, vault)
            await staff.open()
            await security.open()
            try:
                active = await staff.get_staff("s-old")
                assert active is not None and active.totp_secret == STAFF_SECRET
                assert active.totp_last_step == 5 and active.pending_totp_secret is None
                enrolling = await staff.get_staff("s-new")
                assert enrolling is not None and enrolling.pending_totp_secret == PENDING_SECRET
                totp = await security.get_totp("p-old")
                assert totp is not None and totp.secret == PLAYER_SECRET
                assert totp.confirmed and totp.last_step == 7
            finally:
                await security.close()
                await staff.close()
    finally:
        await ledger.close()
    assert await raw_fetch(url, "SELECT * FROM secrets_plaintext") == []
    sealed = await raw_fetch(url, "SELECT totp_secret_sealed FROM staff WHERE id = 's-old'")
    assert STAFF_SECRET.encode() not in bytes(sealed[0][0])
    if url.startswith("sqlite:///"):  # no page of the file keeps the old clear text
        path = Path(url.removeprefix("sqlite:///"))
        for file in (path, path.with_name(path.name + "-wal")):
            data = file.read_bytes() if file.exists() else b""
            for secret in (STAFF_SECRET, PENDING_SECRET, PLAYER_SECRET):
                assert secret.encode() not in data


async def test_a_sealed_secret_copied_to_another_row_does_not_open(database_url: str) -> None:
    """The associated data binds each secret to its row: an insider copying their own sealed
    secret over an admin's (to log in as the admin with their own app) gets nothing."""
    url = database_url
    ledger = await open_test_ledger(url)
    try:
        vault = await open_test_vault(url)
        staff = make_staff_store(url, vault)
        await staff.open()
        try:
            at = datetime(2026, 1, 1, tzinfo=UTC)
            for staff_id, name in (("s-admin", "ada"), ("s-insider", "mallory")):
                member = StaffMember(staff_id, name, Role.ADMIN, StaffStatus.ENROLLING, at)
                await staff.insert_staff(StoredStaff(member, "h"))
                await staff.set_pending_enrolment(staff_id, STAFF_SECRET, [])
                assert await staff.confirm_enrolment(staff_id, STAFF_SECRET, 1)
            await raw_execute(
                url,
                "UPDATE staff SET totp_secret_sealed = (SELECT totp_secret_sealed FROM staff "
                "WHERE id = 's-insider') WHERE id = 's-admin';",
            )
            with pytest.raises(UndecryptableValue):
                await staff.get_staff("s-admin")
            insider = await staff.get_staff("s-insider")
            assert insider is not None and insider.totp_secret == STAFF_SECRET
        finally:
            await staff.close()
    finally:
        await ledger.close()


async def test_a_replaced_enrolment_cannot_be_confirmed(database_url: str) -> None:
    """Confirming compares the sealed pending secret: a second enrolment meanwhile (a new
    secret, sealed anew) makes the first one's confirmation fail, and the second's pass."""
    url = database_url
    ledger = await open_test_ledger(url)
    try:
        staff = make_staff_store(url, await open_test_vault(url))
        await staff.open()
        try:
            member = StaffMember(
                "s-1", "ada", Role.ADMIN, StaffStatus.ENROLLING, datetime(2026, 1, 1, tzinfo=UTC)
            )
            await staff.insert_staff(StoredStaff(member, "h"))
            await staff.set_pending_enrolment("s-1", STAFF_SECRET, [])
            await staff.set_pending_enrolment("s-1", PENDING_SECRET, [])
            assert not await staff.confirm_enrolment("s-1", STAFF_SECRET, 1)
            assert await staff.confirm_enrolment("s-1", PENDING_SECRET, 1)
            stored = await staff.get_staff("s-1")
            assert stored is not None and stored.totp_secret == PENDING_SECRET
            assert stored.member.status is StaffStatus.ACTIVE
        finally:
            await staff.close()
    finally:
        await ledger.close()
