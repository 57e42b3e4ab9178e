"""Staff accounts: creation, login with a password and a second factor, TOTP enrolment.

Every failed login answers the same ``AuthenticationFailed``, whether the username is
unknown, the password wrong, the code wrong or already used; unknown usernames cost the same
argon2 verification. Attempts go through the players' ``LoginLimiter`` under their own keys
(``staff:<username>``): five failures lock the account for the configured time (429).

A new staff member has a password only. Their first login gives an *enrolment* session,
which may do one thing: enrol a TOTP (``enrol``, then ``confirm`` with a first code). After
that, every login needs a TOTP code or one of the recovery codes shown at enrolment.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from croupier.domain.accounts import PRODUCT_CONTEXT_WORDS, AuthenticationFailed, PasswordPolicy
from croupier.domain.accounts.passwords import login_forms
from croupier.domain.errors import InvalidInput, StateConflict
from croupier.domain.staff import Role
from croupier.services.accounts.ports import LoginLimiter, PasswordHasher
from croupier.services.accounts.rate_keys import ip_rate_key
from croupier.services.accounts.service import token_sha256
from croupier.services.audit import AuditEntry, AuditTrail
from croupier.services.staff.factors import (
    Enrolment,
    matching_step,
    new_enrolment,
    recovery_code_sha256,
)
from croupier.services.staff.ports import (
    SessionStage,
    StaffMember,
    StaffSession,
    StaffStatus,
    StaffStore,
    StoredStaff,
)

__all__ = ["StaffLogin", "StaffService", "normalise_username"]

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@+-]{2,63}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
_TOKEN_BYTES = 32
#: How many staff one listing shows at most.
STAFF_LISTED_MAX = 1000


def normalise_username(username: str) -> str:
    """Trimmed and lower-cased; ``InvalidInput`` unless 3 to 64 of ``a-z 0-9 . _ @ + -``."""
    if not isinstance(username, str):
        raise InvalidInput("username: must be a string")
    normalised = username.strip().lower()
    if not _USERNAME.fullmatch(normalised):
        raise InvalidInput(
            "username: 3 to 64 characters of a-z, 0-9, '.', '_', '@', '+', '-', "
            "starting with a letter or a digit"
        )
    return normalised


@dataclass(frozen=True, slots=True)
class StaffLogin:
    """A successful login: the token to give once, its stage, and who logged in."""

    token: str = field(repr=False)
    stage: SessionStage
    expires_at: datetime
    member: StaffMember


class StaffService:
    """The staff use cases; every change is recorded in the audit trail."""

    def __init__(
        self,
        store: StaffStore,
        *,
        hasher: PasswordHasher,
        limiter: LoginLimiter,
        audit: AuditTrail,
        clock: Callable[[], datetime],
        common_passwords: frozenset[str] = frozenset(),
        issuer: str = "Croupier",
        session_ttl_s: int = 8 * 3600,
        new_staff_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        if not 60 <= session_ttl_s <= 86_400:
            raise ValueError("session_ttl_s must be in 60..86400")
        self.store = store
        self.hasher = hasher
        self.limiter = limiter
        self.audit = audit
        self.issuer = issuer
        self.session_ttl_s = session_ttl_s
        self._clock = clock
        self._new_staff_id = new_staff_id
        self._policy = PasswordPolicy(12, 256, common_passwords, PRODUCT_CONTEXT_WORDS)
        self._dummy_hash: str | None = None
        self._dummy_lock = asyncio.Lock()

    # -- staff management ------------------------------------------------------------------
    async def create(
        self, *, username: str, password: str, role: Role | str, actor: str, source_ip: str | None
    ) -> StaffMember:
        """A new staff member, ``enrolling`` until they enrol a TOTP."""
        name = normalise_username(username)
        try:
            staff_role = Role(role)
        except ValueError:
            raise InvalidInput(f"role: one of {', '.join(Role)}") from None
        prepared = self._policy.check(password, email=name if "@" in name else None)
        member = StaffMember(
            staff_id=self._new_staff_id(),
            username=name,
            role=staff_role,
            status=StaffStatus.ENROLLING,
            created_at=self._now(),
        )
        await self.store.insert_staff(StoredStaff(member, await self.hasher.hash(prepared)))
        after = {"username": name, "role": str(staff_role), "status": str(member.status)}
        await self._record(actor, "staff.created", member, source_ip, after=after)
        return member

    async def list(self, *, limit: int = STAFF_LISTED_MAX) -> list[StaffMember]:
        return await self.store.list_staff(limit=max(1, min(limit, STAFF_LISTED_MAX)))

    async def get(self, staff_id: str) -> StaffMember | None:
        stored = await self.store.get_staff(staff_id)
        return stored.member if stored is not None else None

    # -- login -----------------------------------------------------------------------------
    async def login(self, *, username: str, password: str, code: str | None, ip: str) -> StaffLogin:
        """A session, or ``AuthenticationFailed`` (any reason) / ``TooManyAttempts``."""
        now = self._now()
        account_key = "staff:" + (
            username.strip().lower()[:64] if isinstance(username, str) else ""
        )
        ip_key = ip_rate_key(ip)
        await self.limiter.admit(ip=ip_key, account=account_key, now_s=now.timestamp())
        stored = await self._password_checked(username, password)
        stage = SessionStage.FULL
        refusal = None  # for the audit trail only: the caller hears the same for every one
        if stored is None:
            refusal = "unknown username or wrong password"
        elif stored.member.status is StaffStatus.DISABLED:
            refusal = "disabled"
        elif stored.member.status is StaffStatus.ENROLLING:
            stage = SessionStage.ENROLMENT
        elif not await self._second_factor(stored, code, now):
            refusal = "missing, wrong or used code"
        if stored is None or refusal is not None:
            await self.limiter.record_failure(ip=ip_key, account=account_key, now_s=now.timestamp())
            subject = f"staff:{stored.member.staff_id}" if stored is not None else None
            await self.audit.record(
                AuditEntry(
                    actor="anonymous",
                    action="staff.login.failed",
                    subject=subject,
                    source_ip=ip,
                    reason=refusal,
                )
            )
            raise AuthenticationFailed("invalid username, password or code")
        await self.limiter.record_success(ip=ip_key, account=account_key, now_s=now.timestamp())
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        session = StaffSession(
            token_sha256=token_sha256(token),
            staff_id=stored.member.staff_id,
            stage=stage,
            created_at=now,
            expires_at=now + timedelta(seconds=self.session_ttl_s),
        )
        await self.store.insert_session(session)
        await self._record(
            f"staff:{stored.member.staff_id}", "staff.login", stored.member, ip,
            after={"stage": str(stage)},
        )  # fmt: skip
        return StaffLogin(token, stage, session.expires_at, stored.member)

    async def _password_checked(self, username: str, password: str) -> StoredStaff | None:
        """The staff member if the password is theirs; the same argon2 work otherwise."""
        stored = None
        with contextlib.suppress(InvalidInput):  # not a username: fail like an unknown one
            stored = await self.store.find_by_username(normalise_username(username))
        password_hash = stored.password_hash if stored is not None else await self._dummy()
        forms = login_forms(password, length_max=256) if isinstance(password, str) else ()
        prepared = forms[0] if forms else secrets.token_urlsafe(16)  # the same work, no match
        if await self.hasher.verify(password_hash, prepared) and forms and stored is not None:
            return stored
        return None

    async def _second_factor(self, stored: StoredStaff, code: str | None, now: datetime) -> bool:
        """A TOTP code not used before, or an unused recovery code (either is then used)."""
        if not isinstance(code, str) or not code or len(code) > 64:
            return False
        staff_id = stored.member.staff_id
        if code.strip().isdigit():
            if stored.totp_secret is None:
                return False
            step = matching_step(stored.totp_secret, code.strip(), now_s=now.timestamp())
            return step is not None and await self.store.claim_totp_step(staff_id, step)
        used = await self.store.use_recovery_code(
            staff_id, recovery_code_sha256(staff_id, code), at=now
        )
        if used:
            left = await self.store.recovery_codes_left(staff_id)
            await self._record(
                f"staff:{staff_id}", "staff.mfa.recovery_code_used", stored.member, None,
                after={"recovery_codes_left": left},
            )  # fmt: skip
        return used

    # -- sessions --------------------------------------------------------------------------
    async def authenticate(self, token: str) -> tuple[StaffMember, StaffSession]:
        """The staff member and session of a live token; ``AuthenticationFailed`` otherwise
        (disabled staff included)."""
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            raise AuthenticationFailed("invalid session token")
        session = await self.store.find_session(token_sha256(token))
        if session is None or session.revoked_at is not None or session.expires_at <= self._now():
            raise AuthenticationFailed("invalid session token")
        stored = await self.store.get_staff(session.staff_id)
        if stored is None or stored.member.status is StaffStatus.DISABLED:
            raise AuthenticationFailed("invalid session token")
        return stored.member, session

    async def logout(self, token: str, *, source_ip: str | None) -> None:
        """Revoke the session (idempotent)."""
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            return
        session = await self.store.find_session(token_sha256(token))
        await self.store.revoke_session(token_sha256(token), at=self._now())
        if session is not None:
            await self.audit.record(
                AuditEntry(
                    actor=f"staff:{session.staff_id}",
                    action="staff.logout",
                    subject=f"staff:{session.staff_id}",
                    source_ip=source_ip,
                )
            )

    # -- enrolment -------------------------------------------------------------------------
    async def enrol(self, staff_id: str, *, source_ip: str | None) -> Enrolment:
        """A new TOTP secret and recovery codes for a staff member still enrolling (calling
        again replaces both: only the last one shown can be confirmed)."""
        stored = await self._enrolling(staff_id)
        enrolment = new_enrolment(account_name=stored.member.username, issuer=self.issuer)
        hashes = [recovery_code_sha256(staff_id, code) for code in enrolment.recovery_codes]
        await self.store.set_pending_enrolment(staff_id, enrolment.secret, hashes)
        await self._record(f"staff:{staff_id}", "staff.mfa.enrol", stored.member, source_ip)
        return enrolment

    async def confirm(
        self, staff_id: str, code: str, *, token: str, source_ip: str | None
    ) -> StaffMember:
        """Make the offered TOTP secret the staff member's, given a first code from it; the
        session ``token`` becomes a full one."""
        stored = await self._enrolling(staff_id)
        if stored.pending_totp_secret is None:
            raise StateConflict("enrol first: POST /admin/v1/mfa/enrol")
        code = code.strip() if isinstance(code, str) else ""
        step = matching_step(stored.pending_totp_secret, code, now_s=self._now().timestamp())
        if step is None:
            raise InvalidInput(
                "code: not the current code of the enrolled secret (check the clock)"
            )
        if not await self.store.confirm_enrolment(staff_id, stored.pending_totp_secret, step):
            raise StateConflict("another enrolment replaced this one: enrol again")
        await self.store.promote_session(token_sha256(token))
        await self._record(
            f"staff:{staff_id}", "staff.mfa.enrolled", stored.member, source_ip,
            before={"status": str(StaffStatus.ENROLLING)},
            after={"status": str(StaffStatus.ACTIVE)},
        )  # fmt: skip
        member = await self.get(staff_id)
        assert member is not None
        return member

    async def _enrolling(self, staff_id: str) -> StoredStaff:
        stored = await self.store.get_staff(staff_id)
        if stored is None:
            raise AuthenticationFailed("invalid session token")
        if stored.member.status is not StaffStatus.ENROLLING:
            raise StateConflict("a TOTP is already enrolled; an admin can reset it")
        return stored

    # -- helpers ---------------------------------------------------------------------------
    async def _record(
        self,
        actor: str,
        action: str,
        member: StaffMember,
        source_ip: str | None,
        *,
        before: Mapping[str, object] | None = None,
        after: Mapping[str, object] | None = None,
    ) -> None:
        await self.audit.record(
            AuditEntry(
                actor=actor,
                action=action,
                subject=f"staff:{member.staff_id}",
                source_ip=source_ip,
                before=before,
                after=after,
            )
        )

    async def _dummy(self) -> str:
        async with self._dummy_lock:
            if self._dummy_hash is None:
                self._dummy_hash = await self.hasher.hash(secrets.token_urlsafe(16))
            return self._dummy_hash

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the staff clock must return timezone-aware datetimes")
        now = now.astimezone(UTC)
        return now.replace(microsecond=now.microsecond // 1000 * 1000)
