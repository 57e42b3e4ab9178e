"""Row encodings of the staff tables, shared by the SQLite and PostgreSQL adapters."""

from __future__ import annotations

from typing import Any

from croupier.adapters.storage.player_rows import from_ms
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
    f"{MEMBER_COLUMNS}, password_hash, totp_secret, pending_totp_secret, totp_last_step"
)
SESSION_COLUMNS = "token_sha256, staff_id, stage, created_at_ms, expires_at_ms, revoked_at_ms"


def member(row: Any) -> StaffMember:
    return StaffMember(row[0], row[1], Role(row[2]), StaffStatus(row[3]), from_ms(row[4]))


def stored(row: Any) -> StoredStaff:
    return StoredStaff(member(row), row[5], row[6], row[7], row[8])


def session(row: Any) -> StaffSession:
    revoked = None if row[5] is None else from_ms(row[5])
    return StaffSession(
        row[0], row[1], SessionStage(row[2]), from_ms(row[3]), from_ms(row[4]), revoked
    )
