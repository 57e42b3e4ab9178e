"""The ports of player account security: its store, the mailer and the revocation bus.

Kept apart from :mod:`~croupier.services.accounts.ports` (players, sessions, logins): these
tables came later (migration 0010) and change for other reasons.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

__all__ = [
    "Mail",
    "Mailer",
    "PlayerSecurityStore",
    "RevocationBus",
    "SessionView",
    "SessionsRevoked",
    "TotpRecord",
    "session_public_id",
]


def session_public_id(token_sha256: str) -> str:
    """The id a player sees for a session: derived from the stored hash, so it needs no
    column, and it is not the hash (which is the session's lookup key)."""
    return hashlib.sha256(b"croupier-session-id:" + token_sha256.encode("ascii")).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class TotpRecord:
    """A player's TOTP enrolment. ``last_step``: the newest 30-second step a code was
    accepted for (a code of that step or before is refused)."""

    secret: str = field(repr=False)
    confirmed: bool
    last_step: int


@dataclass(frozen=True, slots=True)
class SessionView:
    """One live session as its player sees it."""

    token_sha256: str = field(repr=False)
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    user_agent: str
    ip: str

    @property
    def session_id(self) -> str:
        return session_public_id(self.token_sha256)


class PlayerSecurityStore(Protocol):
    """TOTP, recovery codes, reset tokens, session details and known devices (0010)."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    # -- TOTP ------------------------------------------------------------------------------
    async def get_totp(self, player_id: str) -> TotpRecord | None: ...

    async def begin_totp(
        self, player_id: str, secret: str, recovery_sha256s: Sequence[str], *, at: datetime
    ) -> bool:
        """Store a new, unconfirmed secret and recovery codes (replacing an unconfirmed
        enrolment); False, and nothing changed, when a confirmed one exists."""
        ...

    async def confirm_totp(self, player_id: str, step: int, *, at: datetime) -> bool:
        """Confirm the unconfirmed enrolment with the step of its first code; False if none."""
        ...

    async def use_totp_step(self, player_id: str, step: int) -> bool:
        """Accept a code of ``step`` once: True and ``last_step = step`` only if the enrolment
        is confirmed and ``step`` is newer than ``last_step`` (atomic: two requests with one
        code, one wins)."""
        ...

    async def use_recovery_code(self, player_id: str, code_sha256: str, *, at: datetime) -> bool:
        """Mark an unused recovery code used; False if unknown or used."""
        ...

    async def delete_totp(self, player_id: str) -> None:
        """Remove the enrolment and its recovery codes."""

    # -- password resets -------------------------------------------------------------------
    async def insert_reset(
        self, token_sha256: str, player_id: str, *, created_at: datetime, expires_at: datetime
    ) -> None: ...

    async def find_reset(self, token_sha256: str, *, at: datetime) -> str | None:
        """The player of an unused, unexpired token (nothing changes)."""
        ...

    async def use_reset(self, token_sha256: str, *, at: datetime) -> str | None:
        """The player of an unused, unexpired token, which (with every other token of the
        player) is used from now on; None for any other token. Atomic: used once."""
        ...

    # -- sessions and devices --------------------------------------------------------------
    async def add_session_details(
        self, token_sha256: str, player_id: str, *, user_agent: str, ip: str, at: datetime
    ) -> None: ...

    async def touch_session(self, token_sha256: str, *, at: datetime) -> None:
        """The session was used at ``at``."""

    async def live_sessions(self, player_id: str, *, now: datetime) -> list[SessionView]:
        """The player's sessions neither revoked nor expired, newest first."""
        ...

    async def revoke_sessions(
        self, player_id: str, token_sha256s: Sequence[str] | None, *, at: datetime
    ) -> list[str]:
        """Revoke the player's live sessions among ``token_sha256s`` (None: all of them);
        the hashes revoked now."""
        ...

    async def remember_device(self, player_id: str, device_sha256: str, *, at: datetime) -> bool:
        """Remember the device; True if the player had not used it before."""
        ...


@dataclass(frozen=True, slots=True)
class Mail:
    """One plain-text mail to one address."""

    to: str
    subject: str
    body: str = field(repr=False)  # may hold a reset token


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None:
        """Hand the mail over for delivery (raises if it could not be)."""


@dataclass(frozen=True, slots=True)
class SessionsRevoked:
    """Sessions that ended: every gateway closes the WebSockets they authenticate."""

    player_id: str
    token_sha256s: tuple[str, ...]


class RevocationBus(Protocol):
    """Tells every gateway of the deployment which sessions were revoked, at once."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def listen(self, listener: Callable[[SessionsRevoked], None]) -> None:
        """Call ``listener`` (on the event loop) for each revocation, this process's too."""

    async def publish(self, revoked: SessionsRevoked) -> None:
        """Tell every gateway; this process's listeners hear it before this returns."""
