"""Brute force against players: a locked-out account stays locked (the right password, a
new address, a password change or a second factor do not open it), and wrong TOTP codes
lock the second factor the same way."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from croupier.domain.errors import TooManyAttempts, TotpInvalid
from croupier.services.accounts import AccountLimits
from tests.support.accounts import GOOD_PASSWORD
from tests.support.security import open_secure_accounts
from tests.support.server import running_server

pytestmark = pytest.mark.timeout(60)

PASSWORD = "correct horse battery staple"


def test_a_player_lockout_holds_over_http(tmp_path: Path) -> None:
    registration = {
        "email": "target@example.com",
        "password": PASSWORD,
        "date_of_birth": "1990-04-01",
        "country": "MT",
        "currency": "EUR",
    }
    with (
        running_server(f"sqlite:///{tmp_path}/b.db", CROUPIER_LOGIN_FAILURES_MAX="3") as base,
        httpx.Client(base_url=base) as client,
    ):
        assert client.post("/v1/players", json=registration).status_code == 201
        guesses = [
            client.post(
                "/v1/sessions", json={"email": "target@example.com", "password": f"guess {i}!"}
            )
            for i in range(3)
        ]
        assert [answer.status_code for answer in guesses] == [401, 401, 401]
        right = client.post(
            "/v1/sessions", json={"email": "TARGET@example.com", "password": PASSWORD}
        )
        assert right.status_code == 429 and right.json()["type"].endswith("/too-many-attempts")
        assert int(right.headers["Retry-After"]) > 0
        assert "token" not in right.json()
        unknown = client.post("/v1/sessions", json={"email": "nobody@example.com", "password": "x"})
        assert unknown.status_code == 401  # the lock-out is the account's, not the address's


async def test_wrong_totp_codes_lock_the_second_factor(database_url: str) -> None:
    limits = AccountLimits(login_failures_max=3, login_attempts_per_account_per_minute=100)
    async with open_secure_accounts(database_url, limits=limits) as secure:
        player_id = await secure.player("guessed@example.com")
        player = await secure.accounts.store.get_player(player_id)
        assert player is not None
        enrolment = await secure.accounts.totp.enrol(player, ip="192.0.2.1")
        await secure.accounts.totp.confirm(player, secure.code(enrolment.secret), ip="192.0.2.1")
        secure.clock.advance(30)
        right = secure.code(enrolment.secret)
        wrong = [f"{n:06d}" for n in range(10) if f"{n:06d}" != right][:3]
        for code in wrong:  # a thief with the session walks through codes at withdrawal
            with pytest.raises(TotpInvalid):
                await secure.accounts.check_withdrawal(player, code, ip="203.0.113.1")
        with pytest.raises(TooManyAttempts):  # the right code too, now
            await secure.accounts.check_withdrawal(player, right, ip="203.0.113.2")
        assert "player.mfa.locked" in secure.audit.actions()
        assert secure.audit.actions().count("player.mfa.failed") == 3


async def test_wrong_codes_at_login_count_as_failed_logins(database_url: str) -> None:
    limits = AccountLimits(login_failures_max=3, login_attempts_per_account_per_minute=100)
    async with open_secure_accounts(database_url, limits=limits) as secure:
        player_id = await secure.player("stolen@example.com")
        player = await secure.accounts.store.get_player(player_id)
        assert player is not None
        enrolment = await secure.accounts.totp.enrol(player, ip="192.0.2.1")
        await secure.accounts.totp.confirm(player, secure.code(enrolment.secret), ip="192.0.2.1")
        secure.clock.advance(30)
        right = secure.code(enrolment.secret)
        for code in [f"{n:06d}" for n in range(10) if f"{n:06d}" != right][:3]:
            with pytest.raises(Exception, match="invalid email or password"):
                await secure.accounts.login(
                    email="stolen@example.com", password=GOOD_PASSWORD, ip="203.0.113.1", totp=code
                )
        with pytest.raises(TooManyAttempts):
            await secure.accounts.login(
                email="stolen@example.com", password=GOOD_PASSWORD, ip="203.0.113.9", totp=right
            )
        assert "player.login.locked" in secure.audit.actions()
