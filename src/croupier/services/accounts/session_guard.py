"""What a player sees and controls of their sessions: the list (device, address, times),
revoking one or all, the notice of a login from a new device, and the push of every
revocation to the gateways, whose WebSockets on those sessions then close at once."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from croupier.domain.accounts import Player
from croupier.domain.errors import NotFound
from croupier.services.accounts.security_ports import (
    Mail,
    Mailer,
    PlayerSecurityStore,
    RevocationBus,
    SessionsRevoked,
    SessionView,
)
from croupier.services.audit import AuditEntry, AuditTrail

__all__ = ["SessionGuard", "device_label"]

_log = logging.getLogger("croupier.accounts")
_USER_AGENT_CHARS_MAX = 256
_IP_CHARS_MAX = 64
#: A session's "last seen" is written at most this often per process: a write per request
#: would put the players' store on every request's path.
_TOUCH_EVERY_S = 60.0
_TOUCHED_CACHED_MAX = 100_000
_BACKGROUND_MAX = 1_000


def device_label(user_agent: str) -> str:
    """The User-Agent as stored and shown: printable, at most 256 characters."""
    printable = "".join(c if c.isprintable() else " " for c in user_agent).strip()
    return printable[:_USER_AGENT_CHARS_MAX] or "unknown"


@dataclass(frozen=True, slots=True)
class OwnSession:
    """A session in the player's list."""

    view: SessionView
    current: bool


class SessionGuard:
    def __init__(
        self,
        store: PlayerSecurityStore,
        *,
        clock: Callable[[], datetime],
        audit: AuditTrail,
        mailer: Mailer,
        revocations: RevocationBus,
    ) -> None:
        self.store = store
        self.mailer = mailer
        self.revocations = revocations
        self._clock = clock
        self._audit = audit
        self._touched: dict[str, float] = {}
        self._background: set[asyncio.Task[None]] = set()

    async def opened(
        self, player: Player, token_sha256: str, *, user_agent: str, ip: str, first: bool
    ) -> bool:
        """Note a new session's device and address; mail the player when the device (the
        User-Agent and address together) is new, unless this is their first login. True
        when the device was new."""
        now, device = self._clock(), device_label(user_agent)
        ip = ip[:_IP_CHARS_MAX]
        await self.store.add_session_details(
            token_sha256, player.player_id, user_agent=device, ip=ip, at=now
        )
        fingerprint = hashlib.sha256(f"{device}\0{ip}".encode()).hexdigest()
        new = await self.store.remember_device(player.player_id, fingerprint, at=now)
        if new and not first:
            self.send_later(
                Mail(
                    player.email,
                    "New login to your account",
                    f"Your account was logged in to at {now.isoformat(timespec='seconds')}\n"
                    f"from a device we had not seen: {device}\naddress: {ip}\n\n"
                    "If this was not you, change your password now: it ends every session.\n",
                )
            )
        return new

    async def seen(self, token_sha256: str) -> None:
        """The session was used: note it, at most once a minute per process."""
        now = time.monotonic()
        if now - self._touched.get(token_sha256, -_TOUCH_EVERY_S) < _TOUCH_EVERY_S:
            return
        if len(self._touched) >= _TOUCHED_CACHED_MAX:
            self._touched.clear()
        self._touched[token_sha256] = now
        await self.store.touch_session(token_sha256, at=self._clock())

    async def own(self, player: Player, current_sha256: str) -> list[OwnSession]:
        views = await self.store.live_sessions(player.player_id, now=self._clock())
        return [OwnSession(view, view.token_sha256 == current_sha256) for view in views]

    async def revoke_one(self, player: Player, session_id: str, *, ip: str) -> None:
        """Revoke one of the player's own live sessions; ``NotFound`` for any other id (one
        of another player's answers alike, so ids cannot be probed)."""
        views = await self.store.live_sessions(player.player_id, now=self._clock())
        chosen = [view.token_sha256 for view in views if view.session_id == session_id]
        if not chosen:
            actor = f"player:{player.player_id}"
            await self._audit.record(
                AuditEntry(
                    actor,
                    "player.access.refused",
                    subject=f"session:{session_id[:64]}",
                    source_ip=ip,
                    reason="not one of the player's live sessions",
                )
            )
            raise NotFound("no such session")
        await self.revoke(player, chosen, reason="revoked-by-player", ip=ip)

    async def revoke(
        self,
        player: Player,
        token_sha256s: Sequence[str] | None,
        *,
        reason: str,
        ip: str | None,
        actor: str | None = None,
    ) -> list[str]:
        """Revoke sessions of the player (None: all), push it to every gateway, audit it.
        ``actor``: who did it, when not the player (``staff:<id>`` freezing the account)."""
        revoked = await self.store.revoke_sessions(
            player.player_id, token_sha256s, at=self._clock()
        )
        await self.announce(player.player_id, revoked)
        if revoked:
            if actor is None:
                actor = f"player:{player.player_id}" if ip is not None else "system"
            await self._audit.record(
                AuditEntry(
                    actor,
                    "player.session.revoked",
                    subject=f"player:{player.player_id}",
                    source_ip=ip,
                    reason=reason,
                    after={"sessions": len(revoked)},
                )
            )
        return revoked

    async def announce(self, player_id: str, token_sha256s: Sequence[str]) -> None:
        """Tell every gateway; a bus that fails is logged (each request still checks the
        store, and the sweep closes the sockets within ``CROUPIER_WS_SESSION_CHECK_S``)."""
        if not token_sha256s:
            return
        try:
            await self.revocations.publish(SessionsRevoked(player_id, tuple(token_sha256s)))
        except Exception:
            _log.exception("pushing a session revocation to the gateways failed")

    def send_later(self, mail: Mail) -> None:
        """Send in the background: the request neither waits on the mail server nor says by
        its timing whether a mail went out; a failure is logged."""
        if len(self._background) >= _BACKGROUND_MAX:
            _log.error("too many mails waiting: one to %s was dropped", mail.to)
            return
        self.later(self._send(mail))

    def later(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _send(self, mail: Mail) -> None:
        try:
            await self.mailer.send(mail)
        except Exception:
            _log.exception("sending a mail (%s) failed", mail.subject)

    async def drain(self) -> None:
        """Wait for the mails and work in flight (at shutdown, and in tests)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
