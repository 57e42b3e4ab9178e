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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from croupier.domain.accounts import (
    PRODUCT_CONTEXT_WORDS,
    AuthenticationFailed,
    EmailTaken,
    InvalidRegistration,
    PasswordPolicy,
    Player,
    login_forms,
    normalise_email,
    validate_registration,
)
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
from croupier.services.ledger import Ledger

__all__ = ["AccountService", "NewSession", "token_sha256"]

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


class AccountService:
    """The accounts use cases. Every refusal is a typed error raised before anything changes."""

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

    async def register(
        self,
        *,
        email: str,
        password: str,
        date_of_birth: str,
        country: str,
        currency: str,
        ip: str | None = None,
    ) -> Player:
        """A new player with empty cash and bonus ledger accounts in ``currency``; ``ip``
        (from the API) is held to the per-address registration limit."""
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
        )
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
        )
        await self.ledger.open_account(
            player.cash_account_id, AccountKind.PLAYER_CASH, player.currency, floor_minor=0
        )
        await self.ledger.open_account(
            player.bonus_account_id, AccountKind.PLAYER_BONUS, player.currency, floor_minor=0
        )
        await self.store.insert_player(player, password_hash)
        return player

    async def login(self, *, email: str, password: str, ip: str) -> NewSession:
        """A new session, or ``AuthenticationFailed`` / ``TooManyAttempts``.

        Unknown emails cost the same argon2 verifications (one per form of the password), and
        every failure has the same message, so neither the answer nor its timing tells whether
        the email exists. A hash made with older parameters, or of the NFC form registration
        hashed before NFKC, is replaced by a current one.
        """
        now = self._now()
        account_key, ip_key = account_rate_key(email), ip_rate_key(ip)
        await self.limiter.admit(ip=ip_key, account=account_key, now_s=now.timestamp())
        forms = login_forms(password, length_max=self.limits.password_length_max)
        verified = await self._verified(email, forms)
        if verified is None:
            await self.limiter.record_failure(ip=ip_key, account=account_key, now_s=now.timestamp())
            raise AuthenticationFailed()
        await self.limiter.record_success(ip=ip_key, account=account_key, now_s=now.timestamp())
        stored, matched = verified
        player = stored.player
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
        return NewSession(token, session.expires_at, previous, player)

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
        return player

    async def logout(self, token: str) -> None:
        """Revoke the session. Idempotent: an unknown, expired or revoked token is a no-op."""
        if isinstance(token, str) and _TOKEN.fullmatch(token):
            await self.store.revoke_session(token_sha256(token), at=self._now())

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
