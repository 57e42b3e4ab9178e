"""SQLite player store: players, sessions and logins next to the ledger, in the same file.

The ledger store applies the migrations (``0002_players.sql`` among them) when it opens, so
open it first. Like the ledger store, each connection lives on its own thread: one writes,
one reads, so ``authenticate`` (a read on every request) never waits behind a login. SQLite
has one writer per file; ``busy_timeout`` lets a login wait out a ledger commit.

The email and the date of birth are sealed by the vault; the email is found by its blind
index. Opening the store seals the rows migration 0009 left in ``players_plaintext``.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from datetime import date, datetime
from pathlib import Path

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
from croupier.adapters.storage.sqlite.base import SqliteStore
from croupier.adapters.vault import Vault
from croupier.domain.accounts import EmailTaken, Player
from croupier.services.accounts.ports import SessionRecord, StoredPlayer

__all__ = ["SqlitePlayerStore"]


class SqlitePlayerStore(SqliteStore):
    """Implements ``croupier.services.accounts.PlayerStore`` on a SQLite file."""

    thread_prefix = "players-sqlite"

    def __init__(self, path: str | Path, vault: Vault) -> None:
        super().__init__(path)
        self.vault = vault

    async def open(self) -> None:
        await self._open_connections()
        await self._require_table("players")
        sealed = await self._on_writer(self._seal_plaintext_rows)
        if sealed:
            logging.getLogger("croupier.vault").info("sealed %d players' personal data", sealed)

    def _seal_plaintext_rows(self) -> int:
        """Seal what migration 0009 moved to ``players_plaintext``, each row with the
        deletion of its plaintext in one transaction: run again, it finds nothing to do.
        ``secure_delete`` overwrites the freed plaintext; then, once, ``VACUUM`` rewrites the
        file (the migration's own copies freed pages holding plaintext) and the WAL is
        truncated, so no page of the file keeps an email or a date of birth in clear."""
        conn = self._writer()
        ids = [row[0] for row in conn.execute("SELECT id FROM players_plaintext").fetchall()]
        if not ids:
            return 0
        sealed_count = 0
        conn.execute("PRAGMA secure_delete=ON")
        try:
            for player_id in ids:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    sealed_count += self._seal_plaintext_row(conn, player_id)
                    conn.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                    raise
            if sealed_count:
                conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.execute("PRAGMA secure_delete=OFF")
        return sealed_count

    def _seal_plaintext_row(self, conn: sqlite3.Connection, player_id: str) -> int:
        # Read again inside the transaction: another process may have sealed it meanwhile.
        row = conn.execute(
            "SELECT email, date_of_birth FROM players_plaintext WHERE id = ?", (player_id,)
        ).fetchone()
        if row is None:
            return 0
        sealed = seal_player(self.vault, player_id, row[0], date.fromisoformat(row[1]))
        conn.execute(
            "UPDATE players SET email_index = ?, email_sealed = ?, date_of_birth_sealed = ? "
            "WHERE id = ?",
            (sealed.email_index, sealed.email_sealed, sealed.date_of_birth_sealed, player_id),
        )
        conn.execute("DELETE FROM players_plaintext WHERE id = ?", (player_id,))
        return 1

    # -- writes ----------------------------------------------------------------------------
    async def insert_player(self, player: Player, password_hash: str) -> None:
        sealed = seal_player(self.vault, player.player_id, player.email, player.date_of_birth)
        row = (
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
        try:
            await self._write(
                "INSERT INTO players (id, email_index, email_sealed, password_hash, "
                "date_of_birth_sealed, country, currency, created_at_ms, state) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        except sqlite3.IntegrityError as error:
            if "players.email_index" in str(error):
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
            f"SELECT {PLAYER_COLUMNS}, password_hash FROM players WHERE email_index = ?",
            (email_index(self.vault, email),),
        )
        if not rows:
            return None
        return StoredPlayer(await player_from_row(rows[0], self.vault), rows[0][7])

    async def get_player(self, player_id: str) -> Player | None:
        rows = self._lookup(f"SELECT {PLAYER_COLUMNS} FROM players WHERE id = ?", (player_id,))
        return await player_from_row(rows[0], self.vault) if rows else None

    async def find_session(self, token_sha256: str) -> tuple[SessionRecord, Player] | None:
        rows = self._lookup(
            f"SELECT {prefixed('s', SESSION_COLUMNS)}, {prefixed('p', PLAYER_COLUMNS)} "
            "FROM player_sessions AS s JOIN players AS p ON p.id = s.player_id "
            "WHERE s.token_sha256 = ?",
            (token_sha256,),
        )
        if not rows:
            return None
        return session_from_row(rows[0][:5]), await player_from_row(rows[0][5:], self.vault)
