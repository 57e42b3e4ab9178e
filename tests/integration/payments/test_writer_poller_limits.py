"""The payments poller of ``croupier writer`` (a cluster's, wired by
``open_writer_payments`` as the writer wires it) fails a deposit exactly as a gateway's
would: the deposit-limit allowance the deposit reserved comes back, and where the player
lowered the limit while the deposit was out, the same group takes it back, so the
allowance is as if the deposit never happened. On both backends; the ledger verifies."""

from __future__ import annotations

import time

import pytest

from croupier.bootstrap import Platform
from croupier.domain.compliance.responsible import period_key
from croupier.domain.errors import DepositLimit
from croupier.domain.ledger import TransferKind
from croupier.domain.payments.states import State
from croupier.payments_wiring import open_writer_payments
from croupier.services.payments.store import payment_id_of
from tests.support.operations import assert_ledger_verifies
from tests.support.payments import Act, ScriptedProvider, use_providers
from tests.support.platform import PASSWORD

pytestmark = pytest.mark.timeout(120)

IP = "1.2.3.4"


async def test_a_deposit_the_writer_fails_leaves_the_allowance_as_if_it_never_happened(
    platform: Platform,
) -> None:
    assert platform.payments is not None and platform.responsible is not None
    for task in platform.payments.tasks:  # the writer's poller, not this one, resolves it
        task.cancel()
    await platform.accounts.register(
        email="writerpoll@example.com",
        password=PASSWORD,
        date_of_birth="1990-01-01",
        country="MT",
        currency="EUR",
    )
    player = (
        await platform.accounts.login(email="writerpoll@example.com", password=PASSWORD, ip=IP)
    ).player
    await platform.responsible.set_limits(player, {"deposit": {"daily": 100}}, ip=IP)
    psp = ScriptedProvider("alpha", default=Act.APPROVE)
    use_providers(platform, psp)
    await platform.wallet.deposit(player, "writerpoll-first", 60)
    psp.script.append(Act.PEND)
    intent = await platform.wallet.deposit(player, "writerpoll-out", 30)
    assert intent.kind is TransferKind.PENDING
    # While it is out the player lowers the limit; a deposit meanwhile synchronises the
    # allowance down (and is refused: 60 used and 30 reserved of 50).
    await platform.responsible.set_limits(player, {"deposit": {"daily": 50}}, ip=IP)
    with pytest.raises(DepositLimit):
        await platform.wallet.deposit(player, "writerpoll-meanwhile", 1)
    row = await platform.payments.service.get(payment_id_of(intent.id))
    assert row is not None and row.reference is not None
    psp.resolve(row.reference, approve=False)  # declined at the PSP; no webhook comes

    writer = await open_writer_payments(platform.settings, platform.ledger, providers=[psp])
    try:
        for task in writer.tasks:  # the test runs the writer's poller itself
            task.cancel()
        later_ms = 10 * 60_000  # past every look-up backoff
        writer.service.clock_ms = lambda: time.time_ns() // 1_000_000 + later_ms
        assert await writer.service.poll_due() == 1
        failed = await writer.service.get(row.id)
        assert failed is not None and failed.state is State.FAILED
    finally:
        await writer.close()

    # The void returned 30 to the allowance and the same group took it back: 60 used of 50.
    _, allowance = await platform.ledger.balance(
        f"rg:{player.player_id}:deposit:{period_key('daily', platform.responsible.clock())}"
    )
    assert (allowance.available, allowance.pending) == (0, 0)
    with pytest.raises(DepositLimit):
        await platform.wallet.deposit(player, "writerpoll-after", 1)
    assert (await platform.wallet.wallet(player)).cash == 60
    await assert_ledger_verifies(platform)
