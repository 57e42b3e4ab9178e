"""TOTP replay: a code is good once, even when two requests race with it, and a code of an
older step is refused once a newer one was used (on both engines)."""

from __future__ import annotations

import asyncio

import pytest

from croupier.domain.errors import TotpInvalid
from tests.support.security import open_secure_accounts

pytestmark = pytest.mark.timeout(60)


async def test_one_code_two_racing_withdrawals_one_wins(database_url: str) -> None:
    async with open_secure_accounts(database_url) as secure:
        player_id = await secure.player("race@example.com")
        player = await secure.accounts.store.get_player(player_id)
        assert player is not None
        enrolment = await secure.accounts.totp.enrol(player, ip="192.0.2.1")
        await secure.accounts.totp.confirm(player, secure.code(enrolment.secret), ip="192.0.2.1")
        secure.clock.advance(30)
        code = secure.code(enrolment.secret)
        results = await asyncio.gather(
            *(secure.accounts.check_withdrawal(player, code, ip="192.0.2.1") for _ in range(4)),
            return_exceptions=True,
        )
        assert sum(result is None for result in results) == 1
        assert all(isinstance(r, TotpInvalid) for r in results if r is not None)
        newer = secure.code(enrolment.secret, drift_steps=1)
        await secure.accounts.check_withdrawal(player, newer, ip="192.0.2.1")
        secure.clock.advance(30)  # the step before now is in the window, but older than used
        with pytest.raises(TotpInvalid):
            await secure.accounts.check_withdrawal(
                player, secure.code(enrolment.secret, drift_steps=-1), ip="192.0.2.1"
            )
        with pytest.raises(TotpInvalid):  # two steps away: outside the window
            await secure.accounts.check_withdrawal(
                player, secure.code(enrolment.secret, drift_steps=2), ip="192.0.2.1"
            )
