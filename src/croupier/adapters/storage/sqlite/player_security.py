"""SQLite store of player account security (migration 0010), beside the players' tables.

The TOTP secrets are sealed by the vault (``player_totp.secret:<player id>``); opening the
store seals those migration 0012 left in ``secrets_plaintext``.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from croupier.adapters.storage.player_rows import from_ms, to_ms
from croupier.adapters.storage.sealed_secrets import (
    PLAYER_KINDS,
    open_secret,
    player_totp_context,
)
from croupier.adapters.storage.sqlite.base import SqliteStore
from croupier.adapters.storage.sqlite.sealing import seal_plaintext_secrets
from croupier.adapters.vault import Vault
from croupier.services.accounts.security_ports import SessionView, TotpRecord

__all__ = ["SqlitePlayerSecurityStore"]

T = TypeVar("T")


class SqlitePlayerSecurityStore(SqliteStore):
    """Implements ``croupier.services.accounts.security_ports.PlayerSecurityStore``."""

    thread_prefix = "security-sqlite"

    def __init__(self, path: str | Path, vault: Vault) -> None:
        super().__init__(path)
        self.vault = vault

    async def open(self) -> None:
        await self._open_connections()
        await self._require_table("player_totp")
        sealed = await self._on_writer(
            lambda: seal_plaintext_secrets(self._writer(), self.vault, PLAYER_KINDS)
        )
        if sealed:
            logging.getLogger("croupier.vault").info("sealed %d players' TOTP secrets", sealed)

    async def _transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        def run() -> T:
            conn = self._writer()
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(conn)
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            return result

        return await self._on_writer(run)

    async def _changed(self, sql: str, params: tuple[object, ...]) -> int:
        return await self._on_writer(lambda: self._writer().execute(sql, params).rowcount)

    # -- TOTP ------------------------------------------------------------------------------
    async def get_totp(self, player_id: str) -> TotpRecord | None:
        rows = self._lookup(
            "SELECT secret_sealed, confirmed_at_ms, last_step FROM player_totp WHERE player_id = ?",
            (player_id,),
        )
        if not rows:
            return None
        secret = await open_secret(self.vault, rows[0][0], player_totp_context(player_id))
        if secret is None:
            raise LookupError(f"player {player_id!r}'s TOTP secret is not sealed yet: reopen")
        return TotpRecord(secret, rows[0][1] is not None, rows[0][2])

    async def begin_totp(
        self, player_id: str, secret: str, recovery_sha256s: Sequence[str], *, at: datetime
    ) -> bool:
        sealed = self.vault.encrypt(secret.encode(), player_totp_context(player_id))

        def work(conn: sqlite3.Connection) -> bool:
            row = conn.execute(
                "SELECT confirmed_at_ms FROM player_totp WHERE player_id = ?", (player_id,)
            ).fetchone()
            if row is not None and row[0] is not None:
                return False
            conn.execute("DELETE FROM player_recovery_codes WHERE player_id = ?", (player_id,))
            conn.execute(
                "INSERT OR REPLACE INTO player_totp (player_id, secret_sealed, created_at_ms, "
                "confirmed_at_ms, last_step) VALUES (?, ?, ?, NULL, 0)",
                (player_id, sealed, to_ms(at)),
            )
            conn.executemany(
                "INSERT INTO player_recovery_codes (player_id, code_sha256) VALUES (?, ?)",
                [(player_id, code) for code in recovery_sha256s],
            )
            return True

        return await self._transaction(work)

    async def confirm_totp(self, player_id: str, step: int, *, at: datetime) -> bool:
        changed = await self._changed(
            "UPDATE player_totp SET confirmed_at_ms = ?, last_step = ? "
            "WHERE player_id = ? AND confirmed_at_ms IS NULL",
            (to_ms(at), step, player_id),
        )
        return changed == 1

    async def use_totp_step(self, player_id: str, step: int) -> bool:
        changed = await self._changed(
            "UPDATE player_totp SET last_step = ? WHERE player_id = ? "
            "AND confirmed_at_ms IS NOT NULL AND last_step < ?",
            (step, player_id, step),
        )
        return changed == 1

    async def use_recovery_code(self, player_id: str, code_sha256: str, *, at: datetime) -> bool:
        changed = await self._changed(
            "UPDATE player_recovery_codes SET used_at_ms = ? "
            "WHERE player_id = ? AND code_sha256 = ? AND used_at_ms IS NULL",
            (to_ms(at), player_id, code_sha256),
        )
        return changed == 1

    async def delete_totp(self, player_id: str) -> None:
        def work(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM player_recovery_codes WHERE player_id = ?", (player_id,))
            conn.execute("DELETE FROM player_totp WHERE player_id = ?", (player_id,))

        await self._transaction(work)

    # -- password resets -------------------------------------------------------------------
    async def insert_reset(
        self, token_sha256: str, player_id: str, *, created_at: datetime, expires_at: datetime
    ) -> None:
        await self._write(
            "INSERT INTO player_password_resets (token_sha256, player_id, created_at_ms, "
            "expires_at_ms) VALUES (?, ?, ?, ?)",
            (token_sha256, player_id, to_ms(created_at), to_ms(expires_at)),
        )

    async def find_reset(self, token_sha256: str, *, at: datetime) -> str | None:
        rows = self._lookup(
            "SELECT player_id FROM player_password_resets WHERE token_sha256 = ? "
            "AND used_at_ms IS NULL AND expires_at_ms > ?",
            (token_sha256, to_ms(at)),
        )
        return str(rows[0][0]) if rows else None

    async def use_reset(self, token_sha256: str, *, at: datetime) -> str | None:
        at_ms = to_ms(at)

        def work(conn: sqlite3.Connection) -> str | None:
            row = conn.execute(
                "SELECT player_id FROM player_password_resets WHERE token_sha256 = ? "
                "AND used_at_ms IS NULL AND expires_at_ms > ?",
                (token_sha256, at_ms),
            ).fetchone()
            if row is None:
                return None
            conn.execute(  # one reset ends every link the player was sent
                "UPDATE player_password_resets SET used_at_ms = ? "
                "WHERE player_id = ? AND used_at_ms IS NULL",
                (at_ms, row[0]),
            )
            return str(row[0])

        return await self._transaction(work)

    # -- sessions and devices --------------------------------------------------------------
    async def add_session_details(
        self, token_sha256: str, player_id: str, *, user_agent: str, ip: str, at: datetime
    ) -> None:
        await self._write(
            "INSERT OR IGNORE INTO player_session_details (token_sha256, player_id, user_agent, "
            "ip, last_seen_at_ms) VALUES (?, ?, ?, ?, ?)",
            (token_sha256, player_id, user_agent, ip, to_ms(at)),
        )

    async def touch_session(self, token_sha256: str, *, at: datetime) -> None:
        await self._write(
            "UPDATE player_session_details SET last_seen_at_ms = MAX(last_seen_at_ms, ?) "
            "WHERE token_sha256 = ?",
            (to_ms(at), token_sha256),
        )

    async def live_sessions(self, player_id: str, *, now: datetime) -> list[SessionView]:
        rows = await self._read(
            "SELECT s.token_sha256, s.created_at_ms, s.expires_at_ms, "
            "COALESCE(d.last_seen_at_ms, s.created_at_ms), COALESCE(d.user_agent, ''), "
            "COALESCE(d.ip, '') FROM player_sessions AS s "
            "LEFT JOIN player_session_details AS d ON d.token_sha256 = s.token_sha256 "
            "WHERE s.player_id = ? AND s.revoked_at_ms IS NULL AND s.expires_at_ms > ? "
            "ORDER BY s.created_at_ms DESC, s.token_sha256",
            (player_id, to_ms(now)),
        )
        return [
            SessionView(row[0], from_ms(row[1]), from_ms(row[2]), from_ms(row[3]), row[4], row[5])
            for row in rows
        ]

    async def revoke_sessions(
        self, player_id: str, token_sha256s: Sequence[str] | None, *, at: datetime
    ) -> list[str]:
        at_ms = to_ms(at)

        def work(conn: sqlite3.Connection) -> list[str]:
            live = [
                row[0]
                for row in conn.execute(
                    "SELECT token_sha256 FROM player_sessions WHERE player_id = ? "
                    "AND revoked_at_ms IS NULL",
                    (player_id,),
                )
            ]
            chosen = live if token_sha256s is None else [t for t in live if t in token_sha256s]
            conn.executemany(
                "UPDATE player_sessions SET revoked_at_ms = ? WHERE token_sha256 = ?",
                [(at_ms, token) for token in chosen],
            )
            return chosen

        return await self._transaction(work)

    async def remember_device(self, player_id: str, device_sha256: str, *, at: datetime) -> bool:
        changed = await self._changed(
            "INSERT OR IGNORE INTO player_devices (player_id, device_sha256, first_seen_at_ms) "
            "VALUES (?, ?, ?)",
            (player_id, device_sha256, to_ms(at)),
        )
        return changed == 1
