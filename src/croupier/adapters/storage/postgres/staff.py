"""PostgreSQL staff store on asyncpg: the twin of :mod:`croupier.adapters.storage.sqlite.staff`.

Each "use once" write is one conditional UPDATE: PostgreSQL re-checks its WHERE clause on
the row it locked, so of two concurrent logins with the same code exactly one sees
``UPDATE 1``. The TOTP secrets are sealed by the vault; opening the store seals those
migration 0012 left in ``secrets_plaintext``.
"""

from __future__ import annotations

import hmac
import logging
from datetime import datetime

import asyncpg

from croupier.adapters.storage.player_rows import to_ms
from croupier.adapters.storage.postgres.base import PostgresPoolStore
from croupier.adapters.storage.postgres.sealing import seal_plaintext_secrets
from croupier.adapters.storage.sealed_secrets import STAFF_KINDS, staff_totp_context
from croupier.adapters.storage.staff_rows import (
    MEMBER_COLUMNS,
    SESSION_COLUMNS,
    STORED_COLUMNS,
    member,
    session,
    stored,
)
from croupier.adapters.vault import Vault
from croupier.domain.errors import StaffUsernameTaken
from croupier.services.staff.ports import (
    SessionStage,
    StaffMember,
    StaffSession,
    StaffStatus,
    StoredStaff,
)

__all__ = ["PostgresStaffStore"]


class PostgresStaffStore(PostgresPoolStore):
    """Implements ``croupier.services.staff.StaffStore`` on PostgreSQL."""

    required_table = "staff"

    def __init__(self, dsn: str, vault: Vault, *, connections_max: int = 4) -> None:
        super().__init__(dsn, connections_max=connections_max)
        self.vault = vault

    async def open(self) -> None:
        await super().open()
        sealed = await seal_plaintext_secrets(self._connections(), self.vault, STAFF_KINDS)
        if sealed:
            logging.getLogger("croupier.vault").info("sealed %d staff TOTP secrets", sealed)

    # -- writes ----------------------------------------------------------------------------
    async def insert_staff(self, staff: StoredStaff) -> None:
        m = staff.member
        try:
            await self._connections().execute(
                "INSERT INTO staff (id, username, role, status, created_at_ms, password_hash) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                m.staff_id, m.username, str(m.role), str(m.status), to_ms(m.created_at),
                staff.password_hash,
            )  # fmt: skip
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name == "staff_username_key":
                raise StaffUsernameTaken(f"{m.username} is already a staff member") from None
            raise

    async def set_pending_enrolment(
        self, staff_id: str, secret: str, recovery_code_sha256s: list[str]
    ) -> None:
        sealed = self.vault.encrypt(secret.encode(), staff_totp_context(staff_id))
        async with self._connections().acquire() as conn, conn.transaction():
            await conn.execute(
                "UPDATE staff SET pending_totp_secret_sealed = $2 WHERE id = $1", staff_id, sealed
            )
            await conn.execute("DELETE FROM staff_recovery_codes WHERE staff_id = $1", staff_id)
            await conn.executemany(
                "INSERT INTO staff_recovery_codes (staff_id, code_sha256) VALUES ($1, $2)",
                [(staff_id, digest) for digest in recovery_code_sha256s],
            )

    async def confirm_enrolment(self, staff_id: str, secret: str, step: int) -> bool:
        # Sealing is randomised: the compare-and-set is on the sealed value that holds
        # ``secret``; another enrolment meanwhile sealed another one.
        pending = await self._connections().fetchval(
            "SELECT pending_totp_secret_sealed FROM staff WHERE id = $1", staff_id
        )
        if pending is None or not hmac.compare_digest(
            await self.vault.decrypt(bytes(pending), staff_totp_context(staff_id)), secret.encode()
        ):
            return False
        return await self._changed(
            "UPDATE staff SET totp_secret_sealed = pending_totp_secret_sealed, "
            "pending_totp_secret_sealed = NULL, status = $1, totp_last_step = $2 "
            "WHERE id = $3 AND status = $4 AND pending_totp_secret_sealed = $5",
            str(StaffStatus.ACTIVE), step, staff_id, str(StaffStatus.ENROLLING), pending,
        )  # fmt: skip

    async def claim_totp_step(self, staff_id: str, step: int) -> bool:
        return await self._changed(
            "UPDATE staff SET totp_last_step = $2 "
            "WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
            staff_id,
            step,
        )

    async def use_recovery_code(self, staff_id: str, code_sha256: str, *, at: datetime) -> bool:
        return await self._changed(
            "UPDATE staff_recovery_codes SET used_at_ms = $3 "
            "WHERE staff_id = $1 AND code_sha256 = $2 AND used_at_ms IS NULL",
            staff_id,
            code_sha256,
            to_ms(at),
        )

    async def insert_session(self, staff_session: StaffSession) -> None:
        s = staff_session
        await self._connections().execute(
            f"INSERT INTO staff_sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, NULL)",
            s.token_sha256, s.staff_id, str(s.stage), to_ms(s.created_at), to_ms(s.expires_at),
        )  # fmt: skip

    async def promote_session(self, token_sha256: str) -> None:
        await self._connections().execute(
            "UPDATE staff_sessions SET stage = $2 WHERE token_sha256 = $1",
            token_sha256,
            str(SessionStage.FULL),
        )

    async def revoke_session(self, token_sha256: str, *, at: datetime) -> None:
        await self._connections().execute(
            "UPDATE staff_sessions SET revoked_at_ms = $2 "
            "WHERE token_sha256 = $1 AND revoked_at_ms IS NULL",
            token_sha256,
            to_ms(at),
        )

    # -- reads -----------------------------------------------------------------------------
    async def find_by_username(self, username: str) -> StoredStaff | None:
        row = await self._connections().fetchrow(
            f"SELECT {STORED_COLUMNS} FROM staff WHERE username = $1", username
        )
        return await stored(row, self.vault) if row is not None else None

    async def get_staff(self, staff_id: str) -> StoredStaff | None:
        row = await self._connections().fetchrow(
            f"SELECT {STORED_COLUMNS} FROM staff WHERE id = $1", staff_id
        )
        return await stored(row, self.vault) if row is not None else None

    async def list_staff(self, *, limit: int) -> list[StaffMember]:
        rows = await self._connections().fetch(
            f"SELECT {MEMBER_COLUMNS} FROM staff ORDER BY username LIMIT $1", limit
        )
        return [member(row) for row in rows]

    async def recovery_codes_left(self, staff_id: str) -> int:
        count = await self._connections().fetchval(
            "SELECT count(*) FROM staff_recovery_codes WHERE staff_id = $1 AND used_at_ms IS NULL",
            staff_id,
        )
        return int(count)

    async def find_session(self, token_sha256: str) -> StaffSession | None:
        row = await self._connections().fetchrow(
            f"SELECT {SESSION_COLUMNS} FROM staff_sessions WHERE token_sha256 = $1", token_sha256
        )
        return session(row) if row is not None else None

    # -- helpers ---------------------------------------------------------------------------
    async def _changed(self, sql: str, *args: object) -> bool:
        """Run one statement; whether it changed a row (the compare-and-set won)."""
        status = await self._connections().execute(sql, *args)
        return bool(status == "UPDATE 1")
