"""Optional TOTP (RFC 6238) for players: enrolment with a QR code and recovery codes,
confirmation, the check at login and at withdrawal, and disabling.

A code is accepted for its own 30-second step or one either side (clock drift), and only
once: the store keeps the newest step accepted and refuses that step and older ones, so a
code seen over a shoulder, or replayed from a log, is worthless. Wrong codes count against
the account like failed logins (the login limiter), so six digits cannot be walked through.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NoReturn

import pyotp
import segno

from croupier.domain.accounts import Player
from croupier.domain.errors import (
    Forbidden,
    StateConflict,
    TooManyAttempts,
    TotpEnrolmentRequired,
    TotpInvalid,
    TotpRequired,
)
from croupier.services.accounts.ports import LoginLimiter
from croupier.services.accounts.rate_keys import ip_rate_key
from croupier.services.accounts.security_ports import PlayerSecurityStore
from croupier.services.audit import AuditEntry, AuditTrail

__all__ = ["RECOVERY_CODES", "TotpEnrolment", "TotpGate", "recovery_sha256"]

STEP_S = 30
RECOVERY_CODES = 10
_DRIFT_STEPS = (0, -1, 1)  # the current step first: the usual case costs one HMAC
_CODE = re.compile(r"\d{6}")
_RECOVERY = re.compile(r"[a-z2-7]{10}")
_ENROLLED_CACHED_MAX = 100_000


def recovery_sha256(code: str) -> str:
    """What the store keeps of a recovery code (50 random bits: no salt or slow hash needed)."""
    return hashlib.sha256(_normalise_recovery(code).encode("ascii")).hexdigest()


def _normalise_recovery(code: str) -> str:
    return code.strip().lower().replace("-", "").replace(" ", "")


@dataclass(frozen=True, slots=True)
class TotpEnrolment:
    """What the player sees once: the secret, its ``otpauth://`` URI as text and as a QR
    code (an SVG data URI), and the recovery codes."""

    secret: str = field(repr=False)
    otpauth_uri: str = field(repr=False)
    qr_svg_data_uri: str = field(repr=False)
    recovery_codes: tuple[str, ...] = field(repr=False)


class TotpGate:
    def __init__(
        self,
        store: PlayerSecurityStore,
        *,
        clock: Callable[[], datetime],
        audit: AuditTrail,
        limiter: LoginLimiter,
        issuer: str = "Croupier",
        required: bool = False,
    ) -> None:
        self.store = store
        self.required = required
        self.issuer = issuer
        self._clock = clock
        self._audit = audit
        self._limiter = limiter
        self._enrolled: set[str] = set()  # players known to have a confirmed enrolment

    async def enabled(self, player_id: str) -> bool:
        record = await self.store.get_totp(player_id)
        return record is not None and record.confirmed

    async def enrol(self, player: Player, *, ip: str) -> TotpEnrolment:
        """A new secret and recovery codes, not asked for until confirmed;
        ``StateConflict`` when TOTP is on already (disable it first)."""
        secret = pyotp.random_base32()
        codes = tuple(_recovery_code() for _ in range(RECOVERY_CODES))
        hashes = [recovery_sha256(code) for code in codes]
        if not await self.store.begin_totp(player.player_id, secret, hashes, at=self._clock()):
            raise StateConflict("two-factor authentication is on already: disable it first")
        uri = pyotp.TOTP(secret).provisioning_uri(name=player.email, issuer_name=self.issuer)
        qr = segno.make_qr(uri, error="m").svg_data_uri(scale=4)
        await self._record(player, "player.mfa.enrolment-started", ip)
        return TotpEnrolment(secret, uri, qr, codes)

    async def confirm(self, player: Player, code: str, *, ip: str) -> None:
        """Turn TOTP on with a first code from the app; ``TotpInvalid`` for a wrong one."""
        record = await self.store.get_totp(player.player_id)
        if record is None or record.confirmed:
            raise StateConflict("no enrolment waits for confirmation: enrol first")
        await self._admit(player, ip)
        step = _matching_step(record.secret, code, self._now_s())
        if step is None or not await self.store.confirm_totp(
            player.player_id, step, at=self._clock()
        ):
            await self._failed(player, ip)
        await self._record(player, "player.mfa.enrolled", ip)

    async def disable(self, player: Player, code: str | None, *, ip: str) -> None:
        """Turn TOTP off with a current code (or a recovery code); refused when the operator
        requires it."""
        if self.required:
            raise Forbidden("the operator requires two-factor authentication: it stays on")
        if not await self.enabled(player.player_id):
            raise StateConflict("two-factor authentication is not on")
        await self.check(player, code, ip=ip)
        await self.store.delete_totp(player.player_id)
        self._enrolled.discard(player.player_id)
        await self._record(player, "player.mfa.disabled", ip)

    async def check(self, player: Player, code: str | None, *, ip: str) -> None:
        """For a step that needs the second factor (a withdrawal): nothing when the player has
        no TOTP (``TotpEnrolmentRequired`` if the operator requires it), else a current,
        unused code or recovery code (``TotpRequired`` / ``TotpInvalid``)."""
        record = await self.store.get_totp(player.player_id)
        if record is None or not record.confirmed:
            if self.required:
                raise TotpEnrolmentRequired("enrol two-factor authentication first")
            return
        if code is None or not code.strip():
            raise TotpRequired("a current code from your authenticator app is required")
        await self._admit(player, ip)
        if not await self._use(player.player_id, record.secret, code):
            await self._failed(player, ip)

    async def verify_login(self, player: Player, code: str) -> bool:
        """Whether ``code`` is a current, unused code (or unused recovery code) of the
        player's confirmed enrolment (used up if so). The login counts failures itself."""
        record = await self.store.get_totp(player.player_id)
        if record is None or not record.confirmed:
            return False
        return await self._use(player.player_id, record.secret, code)

    async def require_enrolled(self, player: Player) -> None:
        """``TotpEnrolmentRequired`` when the operator requires TOTP and the player has none.
        Cached once seen on: under the requirement TOTP cannot be turned off."""
        if not self.required or player.player_id in self._enrolled:
            return
        if not await self.enabled(player.player_id):
            raise TotpEnrolmentRequired("enrol two-factor authentication before playing")
        if len(self._enrolled) >= _ENROLLED_CACHED_MAX:
            self._enrolled.clear()
        self._enrolled.add(player.player_id)

    async def _use(self, player_id: str, secret: str, code: str) -> bool:
        candidate = code.strip()
        if _CODE.fullmatch(candidate):
            step = _matching_step(secret, candidate, self._now_s())
            return step is not None and await self.store.use_totp_step(player_id, step)
        if _RECOVERY.fullmatch(_normalise_recovery(candidate)):
            return await self.store.use_recovery_code(
                player_id, recovery_sha256(candidate), at=self._clock()
            )
        return False

    async def _admit(self, player: Player, ip: str) -> None:
        try:
            await self._limiter.admit(
                ip=ip_rate_key(ip), account=_account(player), now_s=self._now_s()
            )
        except TooManyAttempts:
            await self._record(player, "player.mfa.locked", ip)
            raise

    async def _failed(self, player: Player, ip: str) -> NoReturn:
        await self._limiter.record_failure(
            ip=ip_rate_key(ip), account=_account(player), now_s=self._now_s()
        )
        await self._record(player, "player.mfa.failed", ip)
        raise TotpInvalid("the code is wrong, expired or used already")

    async def _record(self, player: Player, action: str, ip: str) -> None:
        actor = f"player:{player.player_id}"
        await self._audit.record(AuditEntry(actor, action, subject=actor, source_ip=ip))

    def _now_s(self) -> float:
        return self._clock().timestamp()


def _account(player: Player) -> str:
    """The limiter key of a player's second factor: apart from the password's, so wrong
    codes lock the codes, and the lock-out of one says nothing about the other."""
    return f"totp:{player.player_id}"


def _matching_step(secret: str, code: str, now_s: float) -> int | None:
    """The step (of now, or one either side) whose code ``code`` is; None if none."""
    if not _CODE.fullmatch(code.strip()):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now_s // STEP_S)
    for drift in _DRIFT_STEPS:
        expected = totp.generate_otp(current + drift)
        if hmac.compare_digest(expected.encode(), code.strip().encode()):
            return current + drift
    return None


def _recovery_code() -> str:
    """Ten base32 characters (50 bits), shown as ``xxxxx-xxxxx``."""
    raw = base64.b32encode(secrets.token_bytes(7)).decode("ascii").lower()[:10]
    return f"{raw[:5]}-{raw[5:]}"
