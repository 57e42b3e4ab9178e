"""Password-reset tokens: single use, expiring, stored only as their SHA-256, and a request
answers alike whether or not the email exists (on both engines)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import asyncpg
import pytest

from croupier.domain.errors import InvalidResetToken
from croupier.services.accounts.recovery import reset_token_sha256
from tests.support.security import RESET_TOKEN, Secure, open_secure_accounts

pytestmark = pytest.mark.timeout(60)

NEW = "a brand new passphrase for me"


async def _mailed_token(secure: Secure, email: str) -> str:
    count = len(secure.mails.sent)
    await secure.accounts.recovery.request_reset(email, ip="192.0.2.9")
    await secure.accounts.sessions.drain()
    mails = await secure.mails.wait_for(count + 1)
    match = RESET_TOKEN.search(mails[-1].body)
    assert match is not None
    return match.group(1)


async def _stored_tokens(database_url: str) -> list[str]:
    if database_url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            rows = conn.execute("SELECT token_sha256 FROM player_password_resets").fetchall()
        return [row[0] for row in rows]
    conn = await asyncpg.connect(database_url)
    try:
        return [
            row[0] for row in await conn.fetch("SELECT token_sha256 FROM player_password_resets")
        ]
    finally:
        await conn.close()


async def test_a_used_token_is_refused_and_so_are_the_older_ones(database_url: str) -> None:
    async with open_secure_accounts(database_url) as secure:
        await secure.player("reuse@example.com")
        older = await _mailed_token(secure, "reuse@example.com")
        newer = await _mailed_token(secure, "reuse@example.com")
        await secure.accounts.recovery.reset(newer, NEW, ip="192.0.2.9")
        for token in (newer, older):
            with pytest.raises(InvalidResetToken):
                await secure.accounts.recovery.reset(token, "another new passphrase", ip="x")
        stored = await _stored_tokens(database_url)
        assert sorted(stored) == sorted([reset_token_sha256(older), reset_token_sha256(newer)])
        assert not {older, newer} & set(stored)
        assert hashlib.sha256(newer.encode()).hexdigest() not in stored  # domain-separated


async def test_a_token_expires_after_its_time(database_url: str) -> None:
    async with open_secure_accounts(database_url) as secure:
        await secure.player("late@example.com")
        ttl_s = secure.accounts.limits.password_reset_ttl_s
        token = await _mailed_token(secure, "late@example.com")
        secure.clock.advance(ttl_s - 1)
        on_time = await _mailed_token(secure, "late@example.com")  # issued now: good for ttl
        secure.clock.advance(1)
        with pytest.raises(InvalidResetToken):
            await secure.accounts.recovery.reset(token, NEW, ip="192.0.2.9")
        await secure.accounts.recovery.reset(on_time, NEW, ip="192.0.2.9")


async def test_forged_and_malformed_tokens_are_refused_alike(tmp_path: Path) -> None:
    async with open_secure_accounts(f"sqlite:///{tmp_path}/f.db") as secure:
        await secure.player("forge@example.com")
        for token in ("A" * 43, "short", "x" * 64, "../../etc/passwd" + "a" * 27):
            with pytest.raises(InvalidResetToken) as refused:
                await secure.accounts.recovery.reset(token, NEW, ip="192.0.2.9")
            assert str(refused.value) == "the reset token is invalid, used or expired"


async def test_a_request_for_an_unknown_email_looks_the_same(tmp_path: Path) -> None:
    async with open_secure_accounts(f"sqlite:///{tmp_path}/u.db") as secure:
        await secure.player("known@example.com")
        answers = [
            await secure.accounts.recovery.request_reset(email, ip="192.0.2.9")
            for email in ("known@example.com", "unknown@example.com", "not an email")
        ]
        assert answers == [None, None, None]  # nothing to tell apart, and nothing raised
        await secure.accounts.sessions.drain()
        assert [mail.to for mail in secure.mails.sent] == ["known@example.com"]
        requested = [e for e in secure.audit.entries if e.action.endswith("reset-requested")]
        assert len(requested) == 3 and {e.subject for e in requested} == {None}
        assert not [e for e in requested if re.search("known|unknown", repr(e))]
