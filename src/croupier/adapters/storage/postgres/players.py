"""PostgreSQL player store on asyncpg: the scale-out twin of
:mod:`croupier.adapters.storage.sqlite.players`.

The ledger store applies the migrations (``0002_players.sql`` among them) when it opens, so
open it first. Every call takes a connection from a small pool; a login's three writes are
one transaction, and the player's row is locked so two logins of one player see each other.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from croupier.adapters.storage.player_rows import (
    PLAYER_COLUMNS,
    SESSION_COLUMNS,
    from_ms,
    player_from_row,
    prefixed,
    session_from_row,
    to_ms,
)
from croupier.adapters.storage.postgres.base import PostgresPoolStore
from croupier.domain.accounts import EmailTaken, Player
from croupier.services.accounts.ports import SessionRecord, StoredPlayer

__all__ = ["PostgresPlayerStore"]

_PLAYERS_EMAIL_KEY = "players_email_key"  # PostgreSQL's name for the UNIQUE (email) index


class PostgresPlayerStore(PostgresPoolStore):
    """Implements ``croupier.services.accounts.PlayerStore`` on PostgreSQL."""

    required_table = "players"

    # -- writes ----------------------------------------------------------------------------
    async def insert_player(self, player: Player, password_hash: str) -> None:
        try:
            await self._connections().execute(
                "INSERT INTO players (id, email, password_hash, date_of_birth, country, "
                "currency, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                player.player_id,
                player.email,
                password_hash,
                player.date_of_birth,
                player.country,
                player.currency,
                to_ms(player.created_at),
            )
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name == _PLAYERS_EMAIL_KEY:
                raise EmailTaken(f"{player.email} is already registered") from None
            raise

    async def update_password_hash(self, player_id: str, password_hash: str) -> None:
        await self._connections().execute(
            "UPDATE players SET password_hash = $2 WHERE id = $1", player_id, password_hash
        )

    async def record_login(self, session: SessionRecord, *, ip: str) -> datetime | None:
        at_ms = to_ms(session.created_at)
        async with self._connections().acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                "SELECT last_login_at_ms FROM players WHERE id = $1 FOR UPDATE",
                session.player_id,
            )
            if row is None:
                raise LookupError(f"no player {session.player_id!r}")
            await conn.execute(
                "UPDATE players SET last_login_at_ms = $2 WHERE id = $1", session.player_id, at_ms
            )
            await conn.execute(
                f"INSERT INTO player_sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, NULL)",
                session.token_sha256,
                session.player_id,
                at_ms,
                to_ms(session.expires_at),
            )
            await conn.execute(
                "INSERT INTO player_logins (player_id, logged_in_at_ms, ip) VALUES ($1, $2, $3)",
                session.player_id,
                at_ms,
                ip,
            )
        previous: int | None = row[0]
        return None if previous is None else from_ms(previous)

    async def revoke_session(self, token_sha256: str, *, at: datetime) -> None:
        await self._connections().execute(
            "UPDATE player_sessions SET revoked_at_ms = $2 "
            "WHERE token_sha256 = $1 AND revoked_at_ms IS NULL",
            token_sha256,
            to_ms(at),
        )

    # -- reads -----------------------------------------------------------------------------
    async def find_by_email(self, email: str) -> StoredPlayer | None:
        row = await self._connections().fetchrow(
            f"SELECT {PLAYER_COLUMNS}, password_hash FROM players WHERE email = $1", email
        )
        return StoredPlayer(player_from_row(row), row[6]) if row is not None else None

    async def get_player(self, player_id: str) -> Player | None:
        row = await self._connections().fetchrow(
            f"SELECT {PLAYER_COLUMNS} FROM players WHERE id = $1", player_id
        )
        return player_from_row(row) if row is not None else None

    async def find_session(self, token_sha256: str) -> tuple[SessionRecord, Player] | None:
        row = await self._connections().fetchrow(
            f"SELECT {prefixed('s', SESSION_COLUMNS)}, {prefixed('p', PLAYER_COLUMNS)} "
            "FROM player_sessions AS s JOIN players AS p ON p.id = s.player_id "
            "WHERE s.token_sha256 = $1",
            token_sha256,
        )
        if row is None:
            return None
        values = list(row.values())
        return session_from_row(values[:5]), player_from_row(values[5:])
