"""SQLite player store: players, sessions and logins next to the ledger, in the same file.

The ledger store applies the migrations (``0002_players.sql`` among them) when it opens, so
open it first. Like the ledger store, each connection lives on its own thread: one writes,
one reads, so ``authenticate`` (a read on every request) never waits behind a login. SQLite
has one writer per file; ``busy_timeout`` lets a login wait out a ledger commit.
"""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import datetime

from croupier.adapters.storage.player_rows import (
    PLAYER_COLUMNS,
    SESSION_COLUMNS,
    from_ms,
    player_from_row,
    prefixed,
    session_from_row,
    to_ms,
)
from croupier.adapters.storage.sqlite.base import SqliteStore
from croupier.domain.accounts import EmailTaken, Player
from croupier.services.accounts.ports import SessionRecord, StoredPlayer

__all__ = ["SqlitePlayerStore"]


class SqlitePlayerStore(SqliteStore):
    """Implements ``croupier.services.accounts.PlayerStore`` on a SQLite file."""

    thread_prefix = "players-sqlite"

    async def open(self) -> None:
        await self._open_connections()
        await self._require_table("players")

    # -- writes ----------------------------------------------------------------------------
    async def insert_player(self, player: Player, password_hash: str) -> None:
        row = (
            player.player_id,
            player.email,
            password_hash,
            player.date_of_birth.isoformat(),
            player.country,
            player.currency,
            to_ms(player.created_at),
        )
        try:
            await self._write(
                "INSERT INTO players (id, email, password_hash, date_of_birth, country, "
                "currency, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        except sqlite3.IntegrityError as error:
            if "players.email" in str(error):
                raise EmailTaken(f"{player.email} is already registered") from None
            raise

    async def update_password_hash(self, player_id: str, password_hash: str) -> None:
        await self._write(
            "UPDATE players SET password_hash = ? WHERE id = ?", (password_hash, player_id)
        )

    async def record_login(self, session: SessionRecord, *, ip: str) -> datetime | None:
        return await self._on_writer(self._record_login, session, ip)

    def _record_login(self, session: SessionRecord, ip: str) -> datetime | None:
        conn = self._writer()
        at_ms = to_ms(session.created_at)
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute(
                "SELECT last_login_at_ms FROM players WHERE id = ?", (session.player_id,)
            ).fetchone()
            if row is None:
                raise LookupError(f"no player {session.player_id!r}")
            conn.execute(
                "UPDATE players SET last_login_at_ms = ? WHERE id = ?", (at_ms, session.player_id)
            )
            conn.execute(
                f"INSERT INTO player_sessions ({SESSION_COLUMNS}) VALUES (?, ?, ?, ?, NULL)",
                (session.token_sha256, session.player_id, at_ms, to_ms(session.expires_at)),
            )
            conn.execute(
                "INSERT INTO player_logins (player_id, logged_in_at_ms, ip) VALUES (?, ?, ?)",
                (session.player_id, at_ms, ip),
            )
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        return None if row[0] is None else from_ms(row[0])

    async def revoke_session(self, token_sha256: str, *, at: datetime) -> None:
        await self._write(
            "UPDATE player_sessions SET revoked_at_ms = ? "
            "WHERE token_sha256 = ? AND revoked_at_ms IS NULL",
            (to_ms(at), token_sha256),
        )

    # -- reads -----------------------------------------------------------------------------
    async def find_by_email(self, email: str) -> StoredPlayer | None:
        rows = self._lookup(
            f"SELECT {PLAYER_COLUMNS}, password_hash FROM players WHERE email = ?", (email,)
        )
        return StoredPlayer(player_from_row(rows[0]), rows[0][6]) if rows else None

    async def get_player(self, player_id: str) -> Player | None:
        rows = self._lookup(f"SELECT {PLAYER_COLUMNS} FROM players WHERE id = ?", (player_id,))
        return player_from_row(rows[0]) if rows else None

    async def find_session(self, token_sha256: str) -> tuple[SessionRecord, Player] | None:
        rows = self._lookup(
            f"SELECT {prefixed('s', SESSION_COLUMNS)}, {prefixed('p', PLAYER_COLUMNS)} "
            "FROM player_sessions AS s JOIN players AS p ON p.id = s.player_id "
            "WHERE s.token_sha256 = ?",
            (token_sha256,),
        )
        return (session_from_row(rows[0][:5]), player_from_row(rows[0][5:])) if rows else None
