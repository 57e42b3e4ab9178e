"""PostgreSQL store of player account security (migration 0010): the twin of
:mod:`croupier.adapters.storage.sqlite.player_security`, the TOTP secrets sealed likewise."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from croupier.adapters.storage.player_rows import from_ms, to_ms
from croupier.adapters.storage.postgres.base import PostgresPoolStore, rows_changed
from croupier.adapters.storage.postgres.sealing import seal_plaintext_secrets
from croupier.adapters.storage.sealed_secrets import (
    PLAYER_KINDS,
    open_secret,
    player_totp_context,
)
from croupier.adapters.vault import Vault
from croupier.services.accounts.security_ports import SessionView, TotpRecord

__all__ = ["PostgresPlayerSecurityStore"]


class PostgresPlayerSecurityStore(PostgresPoolStore):
    """Implements ``croupier.services.accounts.security_ports.PlayerSecurityStore``."""

    required_table = "player_totp"

    def __init__(self, dsn: str, vault: Vault, *, connections_max: int = 4) -> None:
        super().__init__(dsn, connections_max=connections_max)
        self.vault = vault

    async def open(self) -> None:
        await super().open()
        sealed = await seal_plaintext_secrets(self._connections(), self.vault, PLAYER_KINDS)
        if sealed:
            logging.getLogger("croupier.vault").info("sealed %d players' TOTP secrets", sealed)

    # -- TOTP ------------------------------------------------------------------------------
    async def get_totp(self, player_id: str) -> TotpRecord | None:
        row = await self._connections().fetchrow(
            "SELECT secret_sealed, confirmed_at_ms, last_step FROM player_totp "
            "WHERE player_id = $1",
            player_id,
        )
        if row is None:
            return None
        secret = await open_secret(self.vault, row[0], player_totp_context(player_id))
        if secret is None:
            raise LookupError(f"player {player_id!r}'s TOTP secret is not sealed yet: reopen")
        return TotpRecord(secret, row[1] is not None, row[2])

    async def begin_totp(
        self, player_id: str, secret: str, recovery_sha256s: Sequence[str], *, at: datetime
    ) -> bool:
        sealed = self.vault.encrypt(secret.encode(), player_totp_context(player_id))
        async with self._connections().acquire() as conn, conn.transaction():
            # The player's row serialises enrolments of one player.
            await conn.execute("SELECT 1 FROM players WHERE id = $1 FOR UPDATE", player_id)
            confirmed = await conn.fetchrow(
                "SELECT confirmed_at_ms FROM player_totp WHERE player_id = $1", player_id
            )
            if confirmed is not None and confirmed[0] is not None:
                return False
            await conn.execute("DELETE FROM player_recovery_codes WHERE player_id = $1", player_id)
            await conn.execute(
                "INSERT INTO player_totp (player_id, secret_sealed, created_at_ms, "
                "confirmed_at_ms, last_step) VALUES ($1, $2, $3, NULL, 0) "
                "ON CONFLICT (player_id) DO UPDATE "
                "SET secret_sealed = EXCLUDED.secret_sealed, "
                "created_at_ms = EXCLUDED.created_at_ms, "
                "confirmed_at_ms = NULL, last_step = 0",
                player_id,
                sealed,
                to_ms(at),
            )
            await conn.executemany(
                "INSERT INTO player_recovery_codes (player_id, code_sha256) VALUES ($1, $2)",
                [(player_id, code) for code in recovery_sha256s],
            )
        return True

    async def confirm_totp(self, player_id: str, step: int, *, at: datetime) -> bool:
        status = await self._connections().execute(
            "UPDATE player_totp SET confirmed_at_ms = $2, last_step = $3 "
            "WHERE player_id = $1 AND confirmed_at_ms IS NULL",
            player_id,
            to_ms(at),
            step,
        )
        return rows_changed(status) == 1

    async def use_totp_step(self, player_id: str, step: int) -> bool:
        status = await self._connections().execute(
            "UPDATE player_totp SET last_step = $2 WHERE player_id = $1 "
            "AND confirmed_at_ms IS NOT NULL AND last_step < $2",
            player_id,
            step,
        )
        return rows_changed(status) == 1

    async def use_recovery_code(self, player_id: str, code_sha256: str, *, at: datetime) -> bool:
        status = await self._connections().execute(
            "UPDATE player_recovery_codes SET used_at_ms = $3 "
            "WHERE player_id = $1 AND code_sha256 = $2 AND used_at_ms IS NULL",
            player_id,
            code_sha256,
            to_ms(at),
        )
        return rows_changed(status) == 1

    async def delete_totp(self, player_id: str) -> None:
        async with self._connections().acquire() as conn, conn.transaction():
            await conn.execute("DELETE FROM player_recovery_codes WHERE player_id = $1", player_id)
            await conn.execute("DELETE FROM player_totp WHERE player_id = $1", player_id)

    # -- password resets -------------------------------------------------------------------
    async def insert_reset(
        self, token_sha256: str, player_id: str, *, created_at: datetime, expires_at: datetime
    ) -> None:
        await self._connections().execute(
            "INSERT INTO player_password_resets (token_sha256, player_id, created_at_ms, "
            "expires_at_ms) VALUES ($1, $2, $3, $4)",
            token_sha256,
            player_id,
            to_ms(created_at),
            to_ms(expires_at),
        )

    async def find_reset(self, token_sha256: str, *, at: datetime) -> str | None:
        player_id = await self._connections().fetchval(
            "SELECT player_id FROM player_password_resets WHERE token_sha256 = $1 "
            "AND used_at_ms IS NULL AND expires_at_ms > $2",
            token_sha256,
            to_ms(at),
        )
        return None if player_id is None else str(player_id)

    async def use_reset(self, token_sha256: str, *, at: datetime) -> str | None:
        at_ms = to_ms(at)
        async with self._connections().acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "SELECT player_id FROM player_password_resets WHERE token_sha256 = $1 "
                "AND used_at_ms IS NULL AND expires_at_ms > $2 FOR UPDATE",
                token_sha256,
                at_ms,
            )
            if row is None:
                return None
            await conn.execute(  # one reset ends every link the player was sent
                "UPDATE player_password_resets SET used_at_ms = $2 "
                "WHERE player_id = $1 AND used_at_ms IS NULL",
                row[0],
                at_ms,
            )
        return str(row[0])

    # -- sessions and devices --------------------------------------------------------------
    async def add_session_details(
        self, token_sha256: str, player_id: str, *, user_agent: str, ip: str, at: datetime
    ) -> None:
        await self._connections().execute(
            "INSERT INTO player_session_details (token_sha256, player_id, user_agent, ip, "
            "last_seen_at_ms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            token_sha256,
            player_id,
            user_agent,
            ip,
            to_ms(at),
        )

    async def touch_session(self, token_sha256: str, *, at: datetime) -> None:
        await self._connections().execute(
            "UPDATE player_session_details SET last_seen_at_ms = GREATEST(last_seen_at_ms, $2) "
            "WHERE token_sha256 = $1",
            token_sha256,
            to_ms(at),
        )

    async def live_sessions(self, player_id: str, *, now: datetime) -> list[SessionView]:
        rows = await self._connections().fetch(
            "SELECT s.token_sha256, s.created_at_ms, s.expires_at_ms, "
            "COALESCE(d.last_seen_at_ms, s.created_at_ms), COALESCE(d.user_agent, ''), "
            "COALESCE(d.ip, '') FROM player_sessions AS s "
            "LEFT JOIN player_session_details AS d ON d.token_sha256 = s.token_sha256 "
            "WHERE s.player_id = $1 AND s.revoked_at_ms IS NULL AND s.expires_at_ms > $2 "
            "ORDER BY s.created_at_ms DESC, s.token_sha256",
            player_id,
            to_ms(now),
        )
        return [
            SessionView(row[0], from_ms(row[1]), from_ms(row[2]), from_ms(row[3]), row[4], row[5])
            for row in rows
        ]

    async def revoke_sessions(
        self, player_id: str, token_sha256s: Sequence[str] | None, *, at: datetime
    ) -> list[str]:
        rows = await self._connections().fetch(
            "UPDATE player_sessions SET revoked_at_ms = $2 WHERE player_id = $1 "
            "AND revoked_at_ms IS NULL AND ($3::text[] IS NULL OR token_sha256 = ANY($3)) "
            "RETURNING token_sha256",
            player_id,
            to_ms(at),
            None if token_sha256s is None else list(token_sha256s),
        )
        return [row[0] for row in rows]

    async def remember_device(self, player_id: str, device_sha256: str, *, at: datetime) -> bool:
        status = await self._connections().execute(
            "INSERT INTO player_devices (player_id, device_sha256, first_seen_at_ms) "
            "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            player_id,
            device_sha256,
            to_ms(at),
        )
        return rows_changed(status) == 1
