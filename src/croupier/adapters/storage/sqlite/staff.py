"""SQLite staff store: staff, their recovery codes and sessions, in the ledger's file.

The ledger store applies the migrations (``0008_staff.sql``) when it opens, so open it
first. Each "use once" write is one conditional UPDATE on the single writing connection:
its row count says whether this call won.

The TOTP secrets are sealed by the vault (``staff.totp_secret:<staff id>``); opening the
store seals those migration 0012 left in ``secrets_plaintext``.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from croupier.adapters.storage.player_rows import to_ms
from croupier.adapters.storage.sealed_secrets import STAFF_KINDS, staff_totp_context
from croupier.adapters.storage.sqlite.base import SqliteStore
from croupier.adapters.storage.sqlite.sealing import seal_plaintext_secrets
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

__all__ = ["SqliteStaffStore"]


class SqliteStaffStore(SqliteStore):
    """Implements ``croupier.services.staff.StaffStore`` on a SQLite file."""

    thread_prefix = "staff-sqlite"

    def __init__(self, path: str | Path, vault: Vault) -> None:
        super().__init__(path)
        self.vault = vault

    async def open(self) -> None:
        await self._open_connections()
        await self._require_table("staff")
        sealed = await self._on_writer(
            lambda: seal_plaintext_secrets(self._writer(), self.vault, STAFF_KINDS)
        )
        if sealed:
            logging.getLogger("croupier.vault").info("sealed %d staff TOTP secrets", sealed)

    # -- writes ----------------------------------------------------------------------------
    async def insert_staff(self, staff: StoredStaff) -> None:
        m = staff.member
        try:
            await self._write(
                "INSERT INTO staff (id, username, role, status, created_at_ms, password_hash) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (m.staff_id, m.username, str(m.role), str(m.status), to_ms(m.created_at),
                 staff.password_hash),
            )  # fmt: skip
        except sqlite3.IntegrityError as error:
            if "staff.username" in str(error):
                raise StaffUsernameTaken(f"{m.username} is already a staff member") from None
            raise

    async def set_pending_enrolment(
        self, staff_id: str, secret: str, recovery_code_sha256s: list[str]
    ) -> None:
        sealed = self.vault.encrypt(secret.encode(), staff_totp_context(staff_id))

        def run() -> None:
            with self._transaction() as conn:
                conn.execute(
                    "UPDATE staff SET pending_totp_secret_sealed = ? WHERE id = ?",
                    (sealed, staff_id),
                )
                conn.execute("DELETE FROM staff_recovery_codes WHERE staff_id = ?", (staff_id,))
                conn.executemany(
                    "INSERT INTO staff_recovery_codes (staff_id, code_sha256) VALUES (?, ?)",
                    [(staff_id, digest) for digest in recovery_code_sha256s],
                )

        await self._on_writer(run)

    async def confirm_enrolment(self, staff_id: str, secret: str, step: int) -> bool:
        # Sealing is randomised: the compare-and-set is on the sealed value that holds
        # ``secret``; another enrolment meanwhile sealed another one.
        rows = self._lookup(
            "SELECT pending_totp_secret_sealed FROM staff WHERE id = ?", (staff_id,)
        )
        pending = rows[0][0] if rows else None
        if pending is None or not hmac.compare_digest(
            await self.vault.decrypt(bytes(pending), staff_totp_context(staff_id)), secret.encode()
        ):
            return False
        return await self._changed(
            "UPDATE staff SET totp_secret_sealed = pending_totp_secret_sealed, "
            "pending_totp_secret_sealed = NULL, status = ?, totp_last_step = ? "
            "WHERE id = ? AND status = ? AND pending_totp_secret_sealed = ?",
            (str(StaffStatus.ACTIVE), step, staff_id, str(StaffStatus.ENROLLING), pending),
        )

    async def claim_totp_step(self, staff_id: str, step: int) -> bool:
        return await self._changed(
            "UPDATE staff SET totp_last_step = ? "
            "WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
            (step, staff_id, step),
        )

    async def use_recovery_code(self, staff_id: str, code_sha256: str, *, at: datetime) -> bool:
        return await self._changed(
            "UPDATE staff_recovery_codes SET used_at_ms = ? "
            "WHERE staff_id = ? AND code_sha256 = ? AND used_at_ms IS NULL",
            (to_ms(at), staff_id, code_sha256),
        )

    async def insert_session(self, staff_session: StaffSession) -> None:
        s = staff_session
        await self._write(
            f"INSERT INTO staff_sessions ({SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, NULL)",
            (s.token_sha256, s.staff_id, str(s.stage), to_ms(s.created_at), to_ms(s.expires_at)),
        )

    async def promote_session(self, token_sha256: str) -> None:
        await self._write(
            "UPDATE staff_sessions SET stage = ? WHERE token_sha256 = ?",
            (str(SessionStage.FULL), token_sha256),
        )

    async def revoke_session(self, token_sha256: str, *, at: datetime) -> None:
        await self._write(
            "UPDATE staff_sessions SET revoked_at_ms = ? "
            "WHERE token_sha256 = ? AND revoked_at_ms IS NULL",
            (to_ms(at), token_sha256),
        )

    # -- reads -----------------------------------------------------------------------------
    async def find_by_username(self, username: str) -> StoredStaff | None:
        rows = self._lookup(f"SELECT {STORED_COLUMNS} FROM staff WHERE username = ?", (username,))
        return await stored(rows[0], self.vault) if rows else None

    async def get_staff(self, staff_id: str) -> StoredStaff | None:
        rows = self._lookup(f"SELECT {STORED_COLUMNS} FROM staff WHERE id = ?", (staff_id,))
        return await stored(rows[0], self.vault) if rows else None

    async def list_staff(self, *, limit: int) -> list[StaffMember]:
        rows = await self._read(
            f"SELECT {MEMBER_COLUMNS} FROM staff ORDER BY username LIMIT ?", (limit,)
        )
        return [member(row) for row in rows]

    async def recovery_codes_left(self, staff_id: str) -> int:
        rows = self._lookup(
            "SELECT count(*) FROM staff_recovery_codes WHERE staff_id = ? AND used_at_ms IS NULL",
            (staff_id,),
        )
        return int(rows[0][0])

    async def find_session(self, token_sha256: str) -> StaffSession | None:
        rows = self._lookup(
            f"SELECT {SESSION_COLUMNS} FROM staff_sessions WHERE token_sha256 = ?", (token_sha256,)
        )
        return session(rows[0]) if rows else None

    # -- helpers ---------------------------------------------------------------------------
    async def _changed(self, sql: str, params: tuple[object, ...]) -> bool:
        """Run one statement; whether it changed a row (the compare-and-set won)."""
        return await self._on_writer(lambda: self._writer().execute(sql, params).rowcount == 1)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._writer()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
