"""PostgreSQL player store on asyncpg: the scale-out twin of
:mod:`croupier.adapters.storage.sqlite.players`.

The ledger store applies the migrations (``0002_players.sql`` among them) when it opens, so
open it first. Every call takes a connection from a small pool; a login's three writes are
one transaction, and the player's row is locked so two logins of one player see each other.

The email and the date of birth are sealed by the vault; the email is found by its blind
index. Opening the store seals the rows migration 0009 left in ``players_plaintext``.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

import asyncpg

from croupier.adapters.storage.player_rows import (
    PLAYER_COLUMNS,
    SESSION_COLUMNS,
    email_index,
    from_ms,
    player_from_row,
    prefixed,
    seal_player,
    session_from_row,
    to_ms,
)
from croupier.adapters.storage.postgres.base import PostgresPoolStore
from croupier.adapters.vault import Vault
from croupier.domain.accounts import EmailTaken, Player
from croupier.services.accounts.ports import SessionRecord, StoredPlayer

__all__ = ["PostgresPlayerStore"]

_PLAYERS_EMAIL_KEY = "players_email_index_key"  # the UNIQUE (email_index) index, see 0009


class PostgresPlayerStore(PostgresPoolStore):
    """Implements ``croupier.services.accounts.PlayerStore`` on PostgreSQL."""

    required_table = "players"

    def __init__(self, dsn: str, vault: Vault, *, connections_max: int = 4) -> None:
        super().__init__(dsn, connections_max=connections_max)
        self.vault = vault

    async def open(self) -> None:
        await super().open()
        sealed = await self._seal_plaintext_rows()
        if sealed:
            logging.getLogger("croupier.vault").info("sealed %d players' personal data", sealed)

    async def _seal_plaintext_rows(self) -> int:
        """Seal what migration 0009 moved to ``players_plaintext``, each row with the
        deletion of its plaintext in one transaction (rows locked, so two processes opening
        at once seal each row once): run again, it finds nothing to do."""
        sealed = 0
        async with self._connections().acquire() as conn:
            ids = [row[0] for row in await conn.fetch("SELECT id FROM players_plaintext")]
            for player_id in ids:
                async with conn.transaction():
                    row = await conn.fetchrow(
                        "SELECT email, date_of_birth FROM players_plaintext WHERE id = $1 "
                        "FOR UPDATE SKIP LOCKED",
                        player_id,
                    )
                    if row is None:  # another process sealed it
                        continue
                    values = seal_player(self.vault, player_id, row[0], date.fromisoformat(row[1]))
                    await conn.execute(
                        "UPDATE players SET email_index = $2, email_sealed = $3, "
                        "date_of_birth_sealed = $4 WHERE id = $1",
                        player_id,
                        values.email_index,
                        values.email_sealed,
                        values.date_of_birth_sealed,
                    )
                    await conn.execute("DELETE FROM players_plaintext WHERE id = $1", player_id)
                    sealed += 1
        return sealed

    # -- writes ----------------------------------------------------------------------------
    async def insert_player(self, player: Player, password_hash: str) -> None:
        sealed = seal_player(self.vault, player.player_id, player.email, player.date_of_birth)
        try:
            await self._connections().execute(
                "INSERT INTO players (id, email_index, email_sealed, password_hash, "
                "date_of_birth_sealed, country, currency, created_at_ms, state) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                player.player_id,
                sealed.email_index,
                sealed.email_sealed,
                password_hash,
                sealed.date_of_birth_sealed,
                player.country,
                player.currency,
                to_ms(player.created_at),
                player.state,
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
            f"SELECT {PLAYER_COLUMNS}, password_hash FROM players WHERE email_index = $1",
            email_index(self.vault, email),
        )
        if row is None:
            return None
        return StoredPlayer(await player_from_row(row, self.vault), row[7])

    async def get_player(self, player_id: str) -> Player | None:
        row = await self._connections().fetchrow(
            f"SELECT {PLAYER_COLUMNS} FROM players WHERE id = $1", player_id
        )
        return await player_from_row(row, self.vault) if row is not None else None

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
        return session_from_row(values[:5]), await player_from_row(values[5:], self.vault)
