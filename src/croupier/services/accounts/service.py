"""Registration, login, session authentication and logout of players.

Registration opens the player's ledger accounts *before* it stores the player row, with the
new player's id: if the ledger refuses, no player exists and nobody can log in; if the row
then cannot be stored (the email was taken meanwhile), two empty ledger accounts with a
random id remain, referenced by nothing, which is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from croupier.domain.accounts import (
    PRODUCT_CONTEXT_WORDS,
    AuthenticationFailed,
    EmailTaken,
    InvalidRegistration,
    PasswordPolicy,
    Player,
    Registration,
    login_forms,
    normalise_email,
    validate_registration,
)
from croupier.domain.errors import CroupierError, TooManyAttempts, TotpRequired
from croupier.domain.ledger import AccountKind
from croupier.services.accounts.limits import AccountLimits
from croupier.services.accounts.ports import (
    LoginLimiter,
    PasswordHasher,
    PlayerStore,
    SessionRecord,
    StoredPlayer,
)
from croupier.services.accounts.rate_keys import account_rate_key, ip_rate_key
from croupier.services.accounts.recovery import PasswordRecovery
from croupier.services.accounts.security_ports import (
    Mailer,
    PlayerSecurityStore,
    RevocationBus,
    SessionsRevoked,
)
from croupier.services.accounts.session_guard import SessionGuard
from croupier.services.accounts.totp import TotpGate
from croupier.services.audit import AuditEntry, AuditTrail
from croupier.services.audit.logged import LoggedAuditTrail
from croupier.services.ledger import Ledger

__all__ = ["AccountService", "NewSession", "SecurityPorts", "token_sha256"]

_TOKEN_BYTES = 32
# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet, no padding.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def token_sha256(token: str) -> str:
    """What the store keeps of a session token: its SHA-256, hex. A leaked table gives no
    usable token, and a 256-bit random token needs no salt or slow hash."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(frozen=True, slots=True)
class NewSession:
    """A successful login: the token to give the player once, and when it expires."""

    token: str = field(repr=False)
    expires_at: datetime
    previous_login_at: datetime | None
    player: Player


@dataclass(frozen=True, slots=True)
class SecurityPorts:
    """What player account security needs (docs/security.md): without them, logins have no
    second factor, sessions no list, and revocations reach this process's store alone."""

    store: PlayerSecurityStore
    mailer: Mailer
    revocations: RevocationBus
    #: ``CROUPIER_REQUIRE_PLAYER_TOTP``: no play and no withdrawal before TOTP is on.
    require_totp: bool = False
    totp_issuer: str = "Croupier"


class PlayerAdmission(Protocol):
    """Who may register and log in, beyond a right password (``services/compliance``)."""

    async def before_registration(
        self, *, email: str, date_of_birth: date, country: str
    ) -> None: ...

    async def before_login(self, player: Player, *, withdraw_only: bool) -> None: ...


class AccountService:
    """The accounts use cases. Every refusal is a typed error raised before anything changes.

    With :class:`SecurityPorts`, :attr:`totp`, :attr:`sessions` and :attr:`recovery` hold
    the players' second factor, their sessions and password recovery."""

    def __init__(
        self,
        store: PlayerStore,
        ledger: Ledger,
        *,
        clock: Callable[[], datetime],
        limits: AccountLimits,
        hasher: PasswordHasher,
        common_passwords: frozenset[str],
        context_words: Iterable[str] = (),
        limiter: LoginLimiter,
        new_player_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        audit: AuditTrail | None = None,
        security: SecurityPorts | None = None,
    ) -> None:
        self.store = store
        self.ledger = ledger
        self.limits = limits
        self.hasher = hasher
        self.limiter = limiter
        self._clock = clock
        self._new_player_id = new_player_id
        self._policy = PasswordPolicy(  # context words: the operator's besides "croupier"
            limits.password_length_min,
            limits.password_length_max,
            common_passwords,
            PRODUCT_CONTEXT_WORDS | frozenset(context_words),
        )
        self._dummy_hash: str | None = None
        self._dummy_lock = asyncio.Lock()
        self.audit: AuditTrail = audit or LoggedAuditTrail()
        #: Responsible gambling's say on registration and login (exclusions, the national
        #: register); None: not checked. Set by the composition root.
        self.admission: PlayerAdmission | None = None
        self._totp: TotpGate | None = None
        self._guard: SessionGuard | None = None
        self._recovery: PasswordRecovery | None = None
        if security is not None:
            self._wire_security(security)

    def _wire_security(self, security: SecurityPorts) -> None:
        clock = self._now
        self._totp = TotpGate(
            security.store,
            clock=clock,
            audit=self.audit,
            limiter=self.limiter,
            issuer=security.totp_issuer,
            required=security.require_totp,
        )
        self._guard = SessionGuard(
            security.store,
            clock=clock,
            audit=self.audit,
            mailer=security.mailer,
            revocations=security.revocations,
        )
        self._recovery = PasswordRecovery(
            self.store,
            security.store,
            self._guard,
            hasher=self.hasher,
            policy=self._policy,
            limiter=self.limiter,
            clock=clock,
            audit=self.audit,
            reset_ttl_s=self.limits.password_reset_ttl_s,
            verify_password=self.verify_password,
        )

    @property
    def totp(self) -> TotpGate:
        """The players' optional second factor (with :class:`SecurityPorts` only)."""
        if self._totp is None:
            raise RuntimeError("account security is not configured (SecurityPorts)")
        return self._totp

    @property
    def sessions(self) -> SessionGuard:
        """The players' view and control of their sessions (with :class:`SecurityPorts`)."""
        if self._guard is None:
            raise RuntimeError("account security is not configured (SecurityPorts)")
        return self._guard

    @property
    def recovery(self) -> PasswordRecovery:
        """Password reset by mail and password change (with :class:`SecurityPorts`)."""
        if self._recovery is None:
            raise RuntimeError("account security is not configured (SecurityPorts)")
        return self._recovery

    async def check_can_play(self, player: Player) -> None:
        """``TotpEnrolmentRequired`` when the operator requires TOTP and the player has none."""
        if self._totp is not None:
            await self._totp.require_enrolled(player)

    async def check_withdrawal(self, player: Player, code: str | None, *, ip: str) -> None:
        """The second factor of a withdrawal: a current code when the player has TOTP on
        (``TotpRequired`` / ``TotpInvalid``); enrolment first when the operator requires it."""
        if self._totp is not None:
            await self._totp.check(player, code, ip=ip)

    def on_revocation(self, listener: Callable[[SessionsRevoked], None]) -> None:
        """Call ``listener`` for every session revoked on any gateway (no-op without
        :class:`SecurityPorts`: the sweep alone ends revoked sessions' sockets then)."""
        if self._guard is not None:
            self._guard.revocations.listen(listener)

    async def close(self) -> None:
        """Wait for the mails still being sent."""
        if self._guard is not None:
            await self._guard.drain()

    async def register(
        self,
        *,
        email: str,
        password: str,
        date_of_birth: str,
        country: str,
        currency: str,
        ip: str | None = None,
        region: str | None = None,
        admit: Callable[[Registration], Awaitable[None]] | None = None,
    ) -> Player:
        """A new player with empty cash and bonus ledger accounts in ``currency``; ``ip``
        (from the API) is held to the per-address registration limit. ``region``: the state
        or province of a US or Canadian player (or ``country="US-NJ"``). ``admit`` (the
        compliance gate, from the API) may refuse the checked registration before anything
        is stored."""
        now = self._now()
        if ip is not None:
            await self.limiter.admit_registration(ip=ip_rate_key(ip), now_s=now.timestamp())
        registration = validate_registration(
            email=email,
            password=password,
            date_of_birth=date_of_birth,
            country=country,
            currency=currency,
            today=now.date(),
            age_years_min=self.limits.age_years_min,
            policy=self._policy,
            region=region,
        )
        if self.admission is not None:  # a person on the national register opens nothing
            await self.admission.before_registration(
                email=registration.email,
                date_of_birth=registration.date_of_birth,
                country=registration.country,
            )
        if admit is not None:
            await admit(registration)
        # A cheap early answer; the store's unique index is what guarantees it.
        if await self.store.find_by_email(registration.email) is not None:
            raise EmailTaken(f"{registration.email} is already registered")
        password_hash = await self.hasher.hash(registration.password)
        player = Player(
            player_id=self._new_player_id(),
            email=registration.email,
            country=registration.country,
            currency=registration.currency,
            date_of_birth=registration.date_of_birth,
            created_at=now,
            state=registration.state,
        )
        await self.ledger.open_account(
            player.cash_account_id, AccountKind.PLAYER_CASH, player.currency, floor_minor=0
        )
        await self.ledger.open_account(
            player.bonus_account_id, AccountKind.PLAYER_BONUS, player.currency, floor_minor=0
        )
        await self.store.insert_player(player, password_hash)
        return player

    async def login(
        self,
        *,
        email: str,
        password: str,
        ip: str,
        totp: str | None = None,
        user_agent: str = "",
        admit: Callable[[Player], Awaitable[None]] | None = None,
        withdraw_only: bool = False,
    ) -> NewSession:
        """A new session, or ``AuthenticationFailed`` / ``TooManyAttempts``; with TOTP on,
        ``TotpRequired`` when the password is right and ``totp`` is missing (ask for the
        code and send both again); a wrong or used code fails like a wrong password.

        Unknown emails cost the same argon2 verifications (one per form of the password), and
        every failure has the same message, so neither the answer nor its timing tells whether
        the email exists. A hash made with older parameters, or of the NFC form registration
        hashed before NFKC, is replaced by a current one. ``admit`` (the compliance gate,
        from the API) may refuse the verified player before a session exists.
        """
        now = self._now()
        account_key, ip_key = account_rate_key(email), ip_rate_key(ip)
        try:
            await self.limiter.admit(ip=ip_key, account=account_key, now_s=now.timestamp())
        except TooManyAttempts:
            await self._audit_anonymous("player.login.locked", account_key, ip)
            raise
        forms = login_forms(password, length_max=self.limits.password_length_max)
        verified = await self._verified(email, forms)
        if verified is not None and not await self._second_factor(verified[0].player, totp):
            verified = None
        if verified is None:
            await self.limiter.record_failure(ip=ip_key, account=account_key, now_s=now.timestamp())
            await self._audit_anonymous("player.login.failed", account_key, ip)
            raise AuthenticationFailed()
        if admit is not None:
            await admit(verified[0].player)
        await self.limiter.record_success(ip=ip_key, account=account_key, now_s=now.timestamp())
        stored, matched = verified
        player = stored.player
        if self.admission is not None:
            try:  # an excluded player gets a withdrawal-only session, if asked for, or none
                await self.admission.before_login(player, withdraw_only=withdraw_only)
            except CroupierError as refused:
                actor = f"player:{player.player_id}"
                await self.audit.record(
                    AuditEntry(
                        actor,
                        "player.login.refused",
                        subject=actor,
                        source_ip=ip,
                        reason=refused.code,
                    )
                )
                raise
        if matched != forms[0] or self.hasher.needs_rehash(stored.password_hash):
            await self.store.update_password_hash(
                player.player_id, await self.hasher.hash(forms[0])
            )
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        session = SessionRecord(
            token_sha256=token_sha256(token),
            player_id=player.player_id,
            created_at=now,
            expires_at=now + timedelta(seconds=self.limits.session_ttl_s),
        )
        previous = await self.store.record_login(session, ip=ip[:64])
        new_device = None
        if self._guard is not None:
            new_device = await self._guard.opened(
                player, session.token_sha256, user_agent=user_agent, ip=ip, first=previous is None
            )
        actor = f"player:{player.player_id}"
        await self.audit.record(
            AuditEntry(
                actor, "player.login", subject=actor, source_ip=ip, after={"new_device": new_device}
            )
        )
        return NewSession(token, session.expires_at, previous, player)

    async def _second_factor(self, player: Player, code: str | None) -> bool:
        """Whether the login may go on: no TOTP, or a current unused code (``TotpRequired``
        when the code is missing: the password was right, nothing is counted)."""
        if self._totp is None or not await self._totp.enabled(player.player_id):
            return True
        if code is None or not code.strip():
            raise TotpRequired("a code from your authenticator app is required")
        return await self._totp.verify_login(player, code)

    async def _audit_anonymous(self, action: str, account_key: str, ip: str) -> None:
        """A failed or refused login: the email as typed is the subject (never the password)."""
        await self.audit.record(
            AuditEntry("anonymous", action, subject=f"email:{account_key}", source_ip=ip)
        )

    async def verify_password(self, player: Player, password: str) -> bool:
        """Whether ``password`` is the player's current one (a slow hash, as at login)."""
        forms = login_forms(password, length_max=self.limits.password_length_max)
        stored = await self.store.find_by_email(player.email)
        if stored is None or stored.player.player_id != player.player_id:
            return False
        for form in forms:
            if await self.hasher.verify(stored.password_hash, form):
                return True
        return False

    async def _verified(
        self, email: str, forms: tuple[str, ...]
    ) -> tuple[StoredPlayer, str] | None:
        """The player and the form of the password their hash matched, if one did; the same
        argon2 verifications for an unknown email (against a dummy hash)."""
        stored = None
        with contextlib.suppress(InvalidRegistration):  # not an email: fail like an unknown one
            stored = await self.store.find_by_email(normalise_email(email))
        password_hash = stored.password_hash if stored is not None else await self._dummy()
        for form in forms:
            if await self.hasher.verify(password_hash, form) and stored is not None:
                return stored, form
        return None

    async def authenticate(self, token: str) -> Player:
        """The player of a live session; ``AuthenticationFailed`` for any other token."""
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            raise AuthenticationFailed("invalid session token")
        found = await self.store.find_session(token_sha256(token))
        if found is None:
            raise AuthenticationFailed("invalid session token")
        session, player = found
        if session.revoked_at is not None or session.expires_at <= self._now():
            raise AuthenticationFailed("invalid session token")
        if self._guard is not None:
            await self._guard.seen(session.token_sha256)
        return player

    async def logout(self, token: str, *, ip: str | None = None) -> None:
        """Revoke the session, and close its WebSockets on every gateway. Idempotent: an
        unknown, expired or revoked token is a no-op."""
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            return
        digest = token_sha256(token)
        if self._guard is None:
            await self.store.revoke_session(digest, at=self._now())
            return
        found = await self.store.find_session(digest)
        if found is not None:
            await self._guard.revoke(found[1], [digest], reason="logout", ip=ip)

    async def _dummy(self) -> str:
        """A hash of a random password, made once, to verify against for unknown emails."""
        async with self._dummy_lock:
            if self._dummy_hash is None:
                self._dummy_hash = await self.hasher.hash(secrets.token_urlsafe(16))
            return self._dummy_hash

    def _now(self) -> datetime:
        """The clock's time in UTC, to the millisecond (what the stores keep)."""
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the accounts clock must return timezone-aware datetimes")
        now = now.astimezone(UTC)
        return now.replace(microsecond=now.microsecond // 1000 * 1000)
