"""Password reset by email, and changing a password.

A reset request answers at once and the same way whether or not the email is registered:
the lookup, the token and the mail happen in the background, so neither the answer nor its
timing says which. The token is 256 random bits, mailed once, stored as its SHA-256, good
for ``reset_ttl_s`` and once (using one ends every other link the player was sent). A reset
and a change of password revoke sessions (a reset all of them, a change the others), and
each is audited and mailed to the player.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from croupier.domain.accounts import (
    AuthenticationFailed,
    InvalidRegistration,
    PasswordPolicy,
    Player,
    normalise_email,
)
from croupier.domain.errors import InvalidResetToken, TooManyAttempts
from croupier.services.accounts.ports import LoginLimiter, PasswordHasher, PlayerStore
from croupier.services.accounts.rate_keys import account_rate_key, ip_rate_key
from croupier.services.accounts.security_ports import Mail, PlayerSecurityStore
from croupier.services.accounts.session_guard import SessionGuard
from croupier.services.audit import AuditEntry, AuditTrail

__all__ = ["PasswordRecovery", "reset_token_sha256"]

_log = logging.getLogger("croupier.accounts")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def reset_token_sha256(token: str) -> str:
    """What the store keeps of a reset token (256 random bits: no salt or slow hash needed)."""
    return hashlib.sha256(b"reset:" + token.encode("ascii")).hexdigest()


class PasswordRecovery:
    def __init__(
        self,
        players: PlayerStore,
        store: PlayerSecurityStore,
        guard: SessionGuard,
        *,
        hasher: PasswordHasher,
        policy: PasswordPolicy,
        limiter: LoginLimiter,
        clock: Callable[[], datetime],
        audit: AuditTrail,
        reset_ttl_s: int,
        verify_password: Callable[[Player, str], Awaitable[bool]],
    ) -> None:
        self.players = players
        self.store = store
        self.guard = guard
        self.reset_ttl_s = reset_ttl_s
        self._hasher = hasher
        self._policy = policy
        self._limiter = limiter
        self._clock = clock
        self._audit = audit
        self._verify_password = verify_password

    async def request_reset(self, email: str, *, ip: str) -> None:
        """Counted like a login attempt (per address and per email, whether it exists or
        not); the rest happens in the background."""
        now_s = self._clock().timestamp()
        await self._limiter.admit(
            ip=ip_rate_key(ip), account=f"reset:{account_rate_key(email)}", now_s=now_s
        )
        await self._audit.record(
            AuditEntry("anonymous", "player.password.reset-requested", source_ip=ip)
        )
        self.guard.later(self._mail_reset(email, ip))

    async def _mail_reset(self, email: str, ip: str) -> None:
        try:
            stored = None
            with contextlib.suppress(InvalidRegistration):
                stored = await self.players.find_by_email(normalise_email(email))
            if stored is None:
                return  # nothing to send, and nothing the requester can tell
            player, now = stored.player, self._clock()
            token = secrets.token_urlsafe(32)
            expires_at = now + timedelta(seconds=self.reset_ttl_s)
            await self.store.insert_reset(
                reset_token_sha256(token), player.player_id, created_at=now, expires_at=expires_at
            )
            minutes = self.reset_ttl_s // 60
            await self.guard.mailer.send(
                Mail(
                    player.email,
                    "Reset your password",
                    "Someone (we hope you) asked to reset your password.\n\n"
                    f"Your reset token: {token}\n\n"
                    "Send it with your new password to POST /v1/password-resets/confirm;\n"
                    f"it works once, within {minutes} minutes. If you did not ask, ignore "
                    "this mail: your password stays as it is.\n",
                )
            )
        except Exception:
            _log.exception("a password-reset request could not be completed")

    async def reset(self, token: str, new_password: str, *, ip: str) -> None:
        """Set a new password with a mailed token; every session of the player ends.
        ``InvalidResetToken`` for an unknown, used or expired token; the policy's
        ``InvalidRegistration`` (the token kept) for a refused password."""
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            raise InvalidResetToken("the reset token is invalid, used or expired")
        digest = reset_token_sha256(token)
        player = await self._reset_player(digest)
        prepared = self._policy.check(new_password, email=player.email)
        password_hash = await self._hasher.hash(prepared)
        if await self.store.use_reset(digest, at=self._clock()) != player.player_id:
            raise InvalidResetToken("the reset token is invalid, used or expired")
        await self.players.update_password_hash(player.player_id, password_hash)
        await self.guard.revoke(player, None, reason="password-reset", ip=ip)
        await self._changed(player, "player.password.reset-completed", ip)

    async def _reset_player(self, digest: str) -> Player:
        player_id = await self.store.find_reset(digest, at=self._clock())
        player = None if player_id is None else await self.players.get_player(player_id)
        if player is None:
            raise InvalidResetToken("the reset token is invalid, used or expired")
        return player

    async def change(
        self, player: Player, current_sha256: str, current: str, new: str, *, ip: str
    ) -> None:
        """Change the password (the current one is asked again, counted like a login);
        every other session of the player ends, this one goes on."""
        now_s, keys = self._clock().timestamp(), (ip_rate_key(ip), account_rate_key(player.email))
        try:
            await self._limiter.admit(ip=keys[0], account=keys[1], now_s=now_s)
        except TooManyAttempts:
            await self._record(player, "player.login.locked", ip)
            raise
        if not await self._verify_password(player, current):
            await self._limiter.record_failure(ip=keys[0], account=keys[1], now_s=now_s)
            await self._record(player, "player.password.change-failed", ip)
            raise AuthenticationFailed("the current password is wrong")
        prepared = self._policy.check(new, email=player.email)
        await self.players.update_password_hash(player.player_id, await self._hasher.hash(prepared))
        live = await self.store.live_sessions(player.player_id, now=self._clock())
        others = [view.token_sha256 for view in live if view.token_sha256 != current_sha256]
        await self.guard.revoke(player, others, reason="password-change", ip=ip)
        await self._changed(player, "player.password.changed", ip)

    async def _changed(self, player: Player, action: str, ip: str) -> None:
        await self._record(player, action, ip)
        self.guard.send_later(
            Mail(
                player.email,
                "Your password was changed",
                f"The password of your account was changed at "
                f"{self._clock().isoformat(timespec='seconds')} from address {ip}.\n"
                "If this was not you, reset your password and contact support.\n",
            )
        )

    async def _record(self, player: Player, action: str, ip: str) -> None:
        actor = f"player:{player.player_id}"
        await self._audit.record(AuditEntry(actor, action, subject=actor, source_ip=ip))
