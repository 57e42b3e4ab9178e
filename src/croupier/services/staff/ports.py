"""The staff service's records and the port it stores them through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from croupier.domain.staff import Role

__all__ = [
    "SessionStage",
    "StaffMember",
    "StaffSession",
    "StaffStatus",
    "StaffStore",
    "StoredStaff",
]


class StaffStatus(StrEnum):
    ENROLLING = "enrolling"  # created; logs in with a password only, to enrol a TOTP
    ACTIVE = "active"  # password and a second factor
    DISABLED = "disabled"  # may not log in


class SessionStage(StrEnum):
    ENROLMENT = "enrolment"  # password only: may enrol its TOTP, nothing else
    FULL = "full"  # password and a second factor


@dataclass(frozen=True, slots=True)
class StaffMember:
    """What anyone may see of a staff member (no hash, no secret)."""

    staff_id: str
    username: str
    role: Role
    status: StaffStatus
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredStaff:
    """A staff member with their credentials, as the store holds them (never leaves the
    service). The TOTP secrets are kept out of ``repr`` so no log line can carry them."""

    member: StaffMember
    password_hash: str = field(repr=False)
    totp_secret: str | None = field(default=None, repr=False)
    pending_totp_secret: str | None = field(default=None, repr=False)
    totp_last_step: int | None = None


@dataclass(frozen=True, slots=True)
class StaffSession:
    """A staff session as stored: only the SHA-256 of its token."""

    token_sha256: str
    staff_id: str
    stage: SessionStage
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


class StaffStore(Protocol):
    """Durable staff, their recovery codes and sessions. Times are UTC, millisecond precision.
    Every "use once" write is a compare-and-set the store does atomically."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def insert_staff(self, stored: StoredStaff) -> None:
        """Add a staff member; ``StaffUsernameTaken`` if the username is in use."""

    async def find_by_username(self, username: str) -> StoredStaff | None: ...

    async def get_staff(self, staff_id: str) -> StoredStaff | None: ...

    async def list_staff(self, *, limit: int) -> list[StaffMember]:
        """Staff by username, at most ``limit``."""

    async def set_pending_enrolment(
        self, staff_id: str, secret: str, recovery_code_sha256s: list[str]
    ) -> None:
        """Offer a new TOTP secret and replace every recovery code, in one transaction."""

    async def confirm_enrolment(self, staff_id: str, secret: str, step: int) -> bool:
        """If ``secret`` is still the pending one: make it the TOTP secret, the account
        active and ``step`` used. ``False`` when another enrolment replaced it meanwhile."""

    async def claim_totp_step(self, staff_id: str, step: int) -> bool:
        """Record ``step`` as used if it is later than the last used one; ``False`` (and
        nothing changes) if it is not: the same code twice, even at once, passes once."""

    async def use_recovery_code(self, staff_id: str, code_sha256: str, *, at: datetime) -> bool:
        """Mark an unused recovery code used; ``False`` if unknown or already used."""

    async def recovery_codes_left(self, staff_id: str) -> int: ...

    async def insert_session(self, session: StaffSession) -> None: ...

    async def find_session(self, token_sha256: str) -> StaffSession | None: ...

    async def promote_session(self, token_sha256: str) -> None:
        """An enrolment session becomes a full one (its staff just confirmed a TOTP)."""

    async def revoke_session(self, token_sha256: str, *, at: datetime) -> None:
        """Revoke it unless it already was; unknown hashes are ignored."""
