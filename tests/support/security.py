"""Helpers for account-security tests: fakes of our own ports (a mailer and an audit trail
that keep what they are given) and an AccountService with its security ports on a database."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pyotp

from croupier.adapters.login_limiter import MemoryLoginLimiter
from croupier.bootstrap import make_player_store
from croupier.security_wiring import make_security_store
from croupier.services.accounts import AccountLimits, AccountService
from croupier.services.accounts.revocations import MemoryRevocationBus
from croupier.services.accounts.security_ports import Mail, SessionsRevoked
from croupier.services.accounts.service import SecurityPorts
from croupier.services.audit import AuditEntry
from tests.support.accounts import GOOD_PASSWORD, SettableClock, fast_hasher
from tests.support.ledger import open_test_ledger
from tests.support.vault import open_test_vault

RESET_TOKEN = re.compile(r"reset token: ([A-Za-z0-9_-]{43})")


class KeptMails:
    """A :class:`~croupier.services.accounts.security_ports.Mailer` that keeps each mail."""

    def __init__(self) -> None:
        self.sent: list[Mail] = []
        self._arrived = asyncio.Condition()

    async def send(self, mail: Mail) -> None:
        async with self._arrived:
            self.sent.append(mail)
            self._arrived.notify_all()

    async def wait_for(self, count: int, timeout: float = 10) -> list[Mail]:
        async with asyncio.timeout(timeout), self._arrived:
            await self._arrived.wait_for(lambda: len(self.sent) >= count)
        return self.sent


@dataclass
class KeptAudit:
    entries: list[AuditEntry] = field(default_factory=list)

    async def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    def actions(self) -> list[str]:
        return [entry.action for entry in self.entries]


@dataclass
class Secure:
    accounts: AccountService
    mails: KeptMails
    audit: KeptAudit
    revoked: list[SessionsRevoked]
    clock: SettableClock

    def code(self, secret: str, drift_steps: int = 0) -> str:
        """The TOTP code of ``secret`` at the service's clock (moved by ``drift_steps``)."""
        return pyotp.TOTP(secret).at(self.clock.now.timestamp() + 30 * drift_steps)

    async def player(self, email: str) -> str:
        player = await self.accounts.register(
            email=email,
            password=GOOD_PASSWORD,
            date_of_birth="1990-04-01",
            country="DE",
            currency="EUR",
        )
        return player.player_id


@asynccontextmanager
async def open_secure_accounts(
    url: str,
    *,
    limits: AccountLimits | None = None,
    require_totp: bool = False,
) -> AsyncIterator[Secure]:
    """A ledger, the player and security stores, and a service with every security port."""
    clock = SettableClock()
    ledger = await open_test_ledger(url)
    vault = await open_test_vault(url)
    players, store = make_player_store(url, vault), make_security_store(url, vault)
    hasher = fast_hasher()
    mails, audit, bus = KeptMails(), KeptAudit(), MemoryRevocationBus()
    revoked: list[SessionsRevoked] = []
    bus.listen(revoked.append)
    try:
        await players.open()
        await store.open()
        limits = limits or AccountLimits()
        accounts = AccountService(
            players,
            ledger,
            clock=clock,
            limits=limits,
            limiter=MemoryLoginLimiter(limits),
            hasher=hasher,
            common_passwords=frozenset({"password1234"}),
            audit=audit,
            security=SecurityPorts(store, mails, bus, require_totp=require_totp),
        )
        yield Secure(accounts, mails, audit, revoked, clock)
        await accounts.close()
    finally:
        await store.close()
        await players.close()
        await ledger.close()
        hasher.close()
