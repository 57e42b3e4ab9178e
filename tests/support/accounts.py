"""Helpers for accounts tests: a settable clock and an AccountService on a database URL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from croupier.adapters.login_limiter import MemoryLoginLimiter
from croupier.adapters.passwords import Argon2PasswordHasher
from croupier.bootstrap import make_player_store
from croupier.services.accounts import AccountLimits, AccountService
from croupier.services.accounts.ports import LoginLimiter
from tests.support.ledger import open_test_ledger
from tests.support.vault import open_test_vault

#: Not in the bundled common list, long enough, not an email.
GOOD_PASSWORD = "correct horse battery staple"


@dataclass
class SettableClock:
    """The accounts clock: aware UTC datetimes, moved by tests."""

    now: datetime = field(default_factory=lambda: datetime(2026, 5, 1, 12, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def fast_hasher() -> Argon2PasswordHasher:
    """argon2id at the lowest cost: the tests check behaviour, not hashing strength."""
    return Argon2PasswordHasher(time_cost=1, memory_cost_kib=8, parallelism=1, concurrent_max=2)


@asynccontextmanager
async def open_accounts(
    url: str,
    *,
    clock: SettableClock,
    limits: AccountLimits | None = None,
    common_passwords: frozenset[str] = frozenset({"password1234", "qwertyuiop"}),
    limiter: LoginLimiter | None = None,
) -> AsyncIterator[AccountService]:
    """A ledger, a player store and a service on ``url``, closed on exit."""
    ledger = await open_test_ledger(url)
    store = make_player_store(url, await open_test_vault(url))
    hasher = fast_hasher()
    try:
        await store.open()
        limits = limits or AccountLimits()
        yield AccountService(
            store,
            ledger,
            clock=clock,
            limits=limits,
            limiter=limiter or MemoryLoginLimiter(limits),
            hasher=hasher,
            common_passwords=common_passwords,
        )
    finally:
        await store.close()
        await ledger.close()
        hasher.close()
