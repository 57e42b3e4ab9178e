"""The in-memory login limiter: windows per IP and account, lock-outs, bounded memory."""

from __future__ import annotations

import pytest

from croupier.adapters.login_limiter import MemoryLoginLimiter
from croupier.services.accounts import (
    AccountLimits,
    TooManyAttempts,
    account_rate_key,
    ip_rate_key,
)

T0 = 1_800_000_000.0


async def test_sliding_window_per_ip() -> None:
    limiter = MemoryLoginLimiter(AccountLimits(login_attempts_per_ip_per_minute=3))
    for i in range(3):
        await limiter.admit(ip="1.2.3.4", account=f"a{i}", now_s=T0 + i * 10)
    with pytest.raises(TooManyAttempts) as refused:
        await limiter.admit(ip="1.2.3.4", account="a9", now_s=T0 + 30)
    assert refused.value.retry_after_s == 30  # the first attempt leaves the window at T0+60
    await limiter.admit(ip="1.2.3.5", account="a9", now_s=T0 + 30)
    await limiter.admit(ip="1.2.3.4", account="a9", now_s=T0 + 60)
    with pytest.raises(TooManyAttempts):  # the window slides: T0+10, +20, +60 are in it
        await limiter.admit(ip="1.2.3.4", account="a9", now_s=T0 + 61)


async def test_refused_attempts_are_not_counted() -> None:
    limiter = MemoryLoginLimiter(AccountLimits(login_attempts_per_account_per_minute=2))
    await limiter.admit(ip="ip1", account="a", now_s=T0)
    await limiter.admit(ip="ip2", account="a", now_s=T0 + 1)
    for second in range(2, 59):
        with pytest.raises(TooManyAttempts):
            await limiter.admit(ip="ip3", account="a", now_s=T0 + second)
    await limiter.admit(ip="ip3", account="a", now_s=T0 + 60)


async def test_lockout_counts_consecutive_failures_only() -> None:
    limiter = MemoryLoginLimiter(AccountLimits(login_failures_max=3, lockout_s=100))
    for _ in range(2):
        await limiter.record_failure(ip="ip", account="a", now_s=T0)
    await limiter.record_success(ip="ip", account="a", now_s=T0)
    for _ in range(2):
        await limiter.record_failure(ip="ip", account="a", now_s=T0)
    await limiter.admit(ip="ip", account="a", now_s=T0)
    await limiter.record_failure(ip="ip", account="a", now_s=T0)
    with pytest.raises(TooManyAttempts) as refused:
        await limiter.admit(ip="ip", account="a", now_s=T0 + 0.5)
    assert refused.value.retry_after_s == 100  # rounded up, never 0
    await limiter.admit(ip="ip", account="a", now_s=T0 + 100)
    await limiter.admit(ip="ip", account="b", now_s=T0 + 0.5)  # other accounts are free


async def test_an_attacker_cannot_lock_a_player_out_of_an_address_they_use() -> None:
    """Five wrong passwords from anywhere lock the account, except from the addresses it
    logged in from lately: those keep their own count."""
    limiter = MemoryLoginLimiter(AccountLimits(login_failures_max=5, lockout_s=900))
    await limiter.admit(ip="home", account="ada", now_s=T0)
    await limiter.record_success(ip="home", account="ada", now_s=T0)
    for i in range(5):
        await limiter.admit(ip=f"botnet-{i}", account="ada", now_s=T0 + 1)
        await limiter.record_failure(ip=f"botnet-{i}", account="ada", now_s=T0 + 1)
    with pytest.raises(TooManyAttempts):  # a new address: locked, as before
        await limiter.admit(ip="hotel", account="ada", now_s=T0 + 2)
    for _ in range(20):  # the account's per-minute window does not hold her back either
        await limiter.admit(ip="home", account="ada", now_s=T0 + 2)
    for _ in range(5):  # typos at home count, at home only
        await limiter.record_failure(ip="home", account="ada", now_s=T0 + 3)
    with pytest.raises(TooManyAttempts):
        await limiter.admit(ip="home", account="ada", now_s=T0 + 4)


async def test_memory_is_bounded() -> None:
    limits = AccountLimits(tracked_keys_max=100)
    limiter = MemoryLoginLimiter(limits)
    for i in range(1000):
        ip = f"10.0.{i // 256}.{i % 256}"
        await limiter.admit(ip=ip, account=f"u{i}", now_s=T0)
        await limiter.record_failure(ip=ip, account=f"u{i}", now_s=T0)
        await limiter.record_success(ip=ip, account=f"v{i}", now_s=T0)
    assert limiter.tracked_keys == 400


@pytest.mark.parametrize(
    ("ip", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        (" 203.0.113.7 ", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("testclient", "testclient"),
    ],
)
def test_ip_rate_key(ip: str, key: str) -> None:
    assert ip_rate_key(ip) == key


def test_account_rate_key_folds_like_emails_and_is_bounded() -> None:
    assert account_rate_key(" Alice@Example.com ") == "alice@example.com"
    assert len(account_rate_key("a" * 10_000)) == 320
