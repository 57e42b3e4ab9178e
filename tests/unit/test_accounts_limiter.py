"""The in-memory login limiter: windows per IP and account, lock-outs, bounded memory."""

from __future__ import annotations

import pytest

from croupier.adapters.login_limiter import MemoryLoginLimiter
from croupier.services.accounts import (
    AccountLimits,
    account_rate_key,
    ip_rate_key,
)

T0 = 1_800_000_000.0


# The limiter's rules are in tests/integration/test_login_limiter_contract.py, run on this
# adapter and on Redis; here, what is this adapter's own.


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
