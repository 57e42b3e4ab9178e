"""Row encodings of the staff tables, shared by the SQLite and PostgreSQL adapters. The TOTP
secrets are stored sealed by the vault (migration 0012) and opened here."""

from __future__ import annotations

from typing import Any

from croupier.adapters.storage.player_rows import from_ms
from croupier.adapters.storage.sealed_secrets import open_secret, staff_totp_context
from croupier.adapters.vault import Vault
from croupier.domain.staff import Role
from croupier.services.staff.ports import (
    SessionStage,
    StaffMember,
    StaffSession,
    StaffStatus,
    StoredStaff,
)

__all__ = ["MEMBER_COLUMNS", "SESSION_COLUMNS", "STORED_COLUMNS", "member", "session", "stored"]

MEMBER_COLUMNS = "id, username, role, status, created_at_ms"
STORED_COLUMNS = (
    f"{MEMBER_COLUMNS}, password_hash, totp_secret_sealed, pending_totp_secret_sealed, "
    "totp_last_step"
)
SESSION_COLUMNS = "token_sha256, staff_id, stage, created_at_ms, expires_at_ms, revoked_at_ms"


def member(row: Any) -> StaffMember:
    return StaffMember(row[0], row[1], Role(row[2]), StaffStatus(row[3]), from_ms(row[4]))


async def stored(row: Any, vault: Vault) -> StoredStaff:
    context = staff_totp_context(row[0])
    secret = await open_secret(vault, row[6], context)
    pending = await open_secret(vault, row[7], context)
    return StoredStaff(member(row), row[5], secret, pending, row[8])


def session(row: Any) -> StaffSession:
    revoked = None if row[5] is None else from_ms(row[5])
    return StaffSession(
        row[0], row[1], SessionStage(row[2]), from_ms(row[3]), from_ms(row[4]), revoked
    )
