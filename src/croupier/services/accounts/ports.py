"""The accounts service's ports: player storage, password hashing, login rate limiting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from croupier.domain.accounts import Player

__all__ = ["LoginLimiter", "PasswordHasher", "PlayerStore", "SessionRecord", "StoredPlayer"]


@dataclass(frozen=True, slots=True)
class StoredPlayer:
    """A player with the hash of their password (never leaves the service)."""

    player: Player
    password_hash: str


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A session as stored: only the SHA-256 of its token, never the token."""

    token_sha256: str
    player_id: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


class PlayerStore(Protocol):
    """Durable players, sessions and login history. Times are UTC, millisecond precision."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def insert_player(self, player: Player, password_hash: str) -> None:
        """Add a player; ``EmailTaken`` if another player has the same email."""

    async def find_by_email(self, email: str) -> StoredPlayer | None:
        """The player with this normalised email, if any."""

    async def get_player(self, player_id: str) -> Player | None: ...

    async def update_password_hash(self, player_id: str, password_hash: str) -> None:
        """Replace the hash (after a parameter upgrade); the password is the same."""

    async def record_login(self, session: SessionRecord, *, ip: str) -> datetime | None:
        """In one transaction: store the session, log the login, and return the time of the
        player's previous successful login (``None`` on the first)."""

    async def find_session(self, token_sha256: str) -> tuple[SessionRecord, Player] | None: ...

    async def revoke_session(self, token_sha256: str, *, at: datetime) -> None:
        """Mark the session revoked at ``at`` unless it already was; unknown hashes are ignored."""


class PasswordHasher(Protocol):
    """A slow, salted password hash. ``hash``/``verify`` may run off the event loop."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches; ``False`` (never an exception) for a malformed hash."""

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than the current ones."""


class LoginLimiter(Protocol):
    """Counts login attempts per IP and per account, and locks accounts after failures.

    ``now_s`` is seconds since the epoch from the service's clock. The in-memory limiter is
    the default; a Redis one shares the counts between gateways.
    """

    async def admit(self, *, ip: str, account: str, now_s: float) -> None:
        """Count one attempt, or raise ``TooManyAttempts`` (and count nothing)."""

    async def admit_registration(self, *, ip: str, now_s: float) -> None:
        """Count one registration from ``ip``, or raise ``TooManyRegistrations``."""

    async def record_failure(self, *, ip: str, account: str, now_s: float) -> None: ...

    async def record_success(self, *, ip: str, account: str, now_s: float) -> None:
        """A login succeeded: from now on ``ip`` is an address this account is known at."""
