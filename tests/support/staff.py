"""Helpers for staff tests: a staff service on a database URL, and an audit trail that keeps
what it is given (a fake of our own port)."""

from __future__ import annotations

import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pyotp

from croupier.adapters.login_limiter import MemoryLoginLimiter
from croupier.bootstrap import make_staff_store
from croupier.services.accounts import AccountLimits
from croupier.services.audit import AuditEntry
from croupier.services.staff import StaffService
from tests.support.accounts import SettableClock, fast_hasher
from tests.support.ledger import open_test_ledger
from tests.support.vault import open_test_vault

#: Long enough, not common, not a context word.
STAFF_PASSWORD = "a long staff passphrase"


@dataclass
class KeptAudit:
    """The audit port, keeping every entry in memory."""

    entries: list[AuditEntry] = field(default_factory=list)

    async def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    def actions(self) -> list[str]:
        return [entry.action for entry in self.entries]


@asynccontextmanager
async def open_staff(
    url: str, *, clock: SettableClock, audit: KeptAudit, limits: AccountLimits | None = None
) -> AsyncIterator[StaffService]:
    """A migrated database, a staff store and the service on ``url``, closed on exit."""
    ledger = await open_test_ledger(url)  # the ledger's writer applies the migrations
    store = make_staff_store(url, await open_test_vault(url))
    hasher = fast_hasher()
    try:
        await store.open()
        yield StaffService(
            store,
            hasher=hasher,
            limiter=MemoryLoginLimiter(limits or AccountLimits()),
            audit=audit,
            clock=clock,
        )
    finally:
        await store.close()
        await ledger.close()
        hasher.close()


def totp_secret(otpauth_uri: str) -> str:
    """The secret an authenticator app reads from the enrolment's URI."""
    query = urllib.parse.parse_qs(urllib.parse.urlparse(otpauth_uri).query)
    return query["secret"][0]


def code_at(secret: str, when_s: float) -> str:
    """What an authenticator shows at ``when_s`` (seconds since the epoch)."""
    return pyotp.TOTP(secret).at(int(when_s))
