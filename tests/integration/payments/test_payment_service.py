"""The payments service against scripted providers (our port's fake) on both backends:
failover only after proof, pending answers resolved by webhook or look-up in any order,
review after the look-ups run out, chargebacks past the balance, refunds, the closed loop.
Every test ends with the ledger verifying."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from croupier.bootstrap import Platform
from croupier.domain.accounts.player import Player
from croupier.domain.errors import InvalidAmount, InvalidInput, PaymentDeclined
from croupier.domain.ledger import TransferKind
from croupier.domain.payments.states import State
from croupier.services.ledger import verify_ledger
from croupier.services.payments.book import receivable_account
from croupier.services.payments.ports import WebhookEvent, WebhookKind
from croupier.services.payments.service import PaymentService
from croupier.services.payments.store import PaymentRow, payment_id_of
from tests.support.payments import Act, ScriptedProvider, use_providers
from tests.support.platform import funded_player

pytestmark = pytest.mark.timeout(120)


class Clock:
    def __init__(self) -> None:
        self.now_ms = 1_800_000_000_000

    def __call__(self) -> int:
        return self.now_ms


@pytest.fixture
def payments(platform: Platform) -> Iterator[PaymentService]:
    assert platform.payments is not None
    for task in platform.payments.tasks:  # the tests drive the poller themselves
        task.cancel()
    yield platform.payments.service


def _clocked(service: PaymentService) -> Clock:
    clock = Clock()
    service.clock_ms = clock
    return clock


async def _row(service: PaymentService, intent_id: str) -> PaymentRow:
    row = await service.get(payment_id_of(intent_id))
    assert row is not None
    return row


async def _verified(platform: Platform) -> None:
    report = await verify_ledger(platform.ledger.store)
    assert report.ok, report.problems


async def _cash(platform: Platform, player: Player) -> int:
    return (await platform.wallet.wallet(player)).cash


async def test_a_decline_fails_over_and_the_next_provider_charges_once(
    platform: Platform, payments: PaymentService
) -> None:
    player = await funded_player(platform, "failover@example.com", 1_000)
    alpha = ScriptedProvider("alpha", default=Act.DECLINE, priority=1)
    beta = ScriptedProvider("beta", priority=2)
    use_providers(platform, alpha, beta)
    credited = await platform.wallet.deposit(player, "failover-01", 500)
    assert credited.kind is TransferKind.POST
    assert (alpha.count("charge"), beta.count("charge")) == (0, 1)
    row = await _row(payments, credited.pending_id or "")
    assert (row.state, row.provider, row.attempt) == (State.SETTLED, "beta", 2)
    assert await _cash(platform, player) == 1_500
    await _verified(platform)


async def test_an_unknown_outcome_never_goes_elsewhere_until_a_look_up_proves_it(
    platform: Platform, payments: PaymentService
) -> None:
    player = await funded_player(platform, "unknown@example.com", 1_000)
    alpha = ScriptedProvider("alpha", priority=1)
    alpha.script.append(Act.LOSE_ANSWER)  # charged, but the answer is lost
    beta = ScriptedProvider("beta", priority=2)
    use_providers(platform, alpha, beta)
    clock = _clocked(payments)
    intent = await platform.wallet.deposit(player, "unknown-001", 700)
    assert intent.kind is TransferKind.PENDING
    row = await _row(payments, intent.id)
    assert (row.state, row.provider) == (State.UNKNOWN, "alpha")
    assert beta.calls == []  # never tried elsewhere while alpha may have taken it
    clock.now_ms += 60_000
    assert await payments.poll_due() == 1
    assert (await _row(payments, intent.id)).state is State.SETTLED
    assert await _cash(platform, player) == 1_700
    assert (alpha.count("charge"), beta.count("charge")) == (1, 0)
    await _verified(platform)


async def test_a_5xx_before_acceptance_is_looked_up_then_fails_over(
    platform: Platform, payments: PaymentService
) -> None:
    player = await funded_player(platform, "fivexx@example.com", 1_000)
    alpha = ScriptedProvider("alpha", priority=1, default=Act.FAIL)
    beta = ScriptedProvider("beta", priority=2)
    use_providers(platform, alpha, beta)
    clock = _clocked(payments)
    intent = await platform.wallet.deposit(player, "fivexx-001", 300)
    assert intent.kind is TransferKind.PENDING and beta.calls == []
    clock.now_ms += 60_000
    await payments.poll_due()  # alpha: NOT_FOUND, so beta may try
    row = await _row(payments, intent.id)
    assert (row.state, row.provider) == (State.SETTLED, "beta")
    assert (alpha.count("charge"), beta.count("charge")) == (0, 1)
    await _verified(platform)


async def test_webhooks_apply_once_in_any_order_and_a_contradiction_is_flagged(
    platform: Platform, payments: PaymentService
) -> None:
    player = await funded_player(platform, "hooks@example.com", 1_000)
    alpha = ScriptedProvider("alpha", default=Act.PEND)
    use_providers(platform, alpha)
    intent = await platform.wallet.deposit(player, "hooks-0001", 400)
    row = await _row(payments, intent.id)
    assert row.state is State.PENDING
    success = alpha.resolve(row.reference)
    assert await payments.webhook(success) == "applied"
    assert await payments.webhook(success) == "duplicate"
    late_failure = WebhookEvent(
        "alpha", "evt-late", WebhookKind.CHARGE_FAILED, row.reference, 400, "EUR", 0
    )
    assert await payments.webhook(late_failure) == "conflict"
    settled = await _row(payments, intent.id)
    assert settled.state is State.SETTLED and settled.flag.startswith("conflict")
    assert await _cash(platform, player) == 1_400  # credited once
    # the player's replay answers the credit; a look-up after the webhook is a no-op
    replay = await platform.wallet.deposit(player, "hooks-0001", 400)
    assert replay.kind is TransferKind.POST
    await payments.look_up(settled)
    assert await _cash(platform, player) == 1_400
    await _verified(platform)


async def test_a_failed_pending_withdrawal_returns_the_funds_once(
    platform: Platform, payments: PaymentService
) -> None:
    player = await funded_player(platform, "wdfail@example.com", 1_000)
    alpha = ScriptedProvider("alpha", default=Act.PEND)
    use_providers(platform, alpha)
    # the closed loop: the funding deposit was the embedded sandbox's; route it to alpha
    held = await platform.wallet.withdraw(player, "wdfail-001", 600)
    assert held.kind is TransferKind.PENDING
    row = await _row(payments, held.id)
    failure = alpha.resolve(row.reference, approve=False)
    for _ in range(2):
        await payments.webhook(failure)
    # declined at the only provider: failed, the reservation voided
    assert (await _row(payments, held.id)).state is State.FAILED
    assert (await platform.wallet.wallet(player)).cash == 1_000
    with pytest.raises(PaymentDeclined):
        await platform.wallet.withdraw(player, "wdfail-001", 600)
    await _verified(platform)


async def test_look_ups_that_never_answer_end_in_review_with_the_money_held(
    platform: Platform, payments: PaymentService
) -> None:
    player = await funded_player(platform, "review@example.com", 1_000)
    alpha = ScriptedProvider("alpha", default=Act.PEND)
    use_providers(platform, alpha)
    clock = _clocked(payments)
    intent = await platform.wallet.withdraw(player, "review-0001", 250)
    for _ in range(payments.limits.polls_max + 1):
        clock.now_ms += payments.limits.poll_backoff_max_ms
        await payments.poll_due()
    row = await _row(payments, intent.id)
    assert row.state is State.REVIEW and row.next_poll_ms is None
    assert [r.id for r in await payments.store.in_state(State.REVIEW, 10)] == [row.id]
    wallet = await platform.wallet.wallet(player)
    assert (wallet.cash, wallet.pending) == (750, 250)  # held, never returned on a guess
    # the provider's late answer still settles it
    assert await payments.webhook(alpha.resolve(row.reference)) == "applied"
    assert (await platform.wallet.wallet(player)).pending == 0
    await _verified(platform)


async def test_a_chargeback_past_the_balance_books_the_rest_as_a_receivable(
    platform: Platform, payments: PaymentService
) -> None:
    player = await funded_player(platform, "charged@example.com", 100)
    alpha = ScriptedProvider("alpha")
    use_providers(platform, alpha)
    deposit = await platform.wallet.deposit(player, "cb-deposit", 1_000)
    await platform.wallet.withdraw(player, "cb-withdraw", 900)  # cash left: 200
    row = await _row(payments, deposit.pending_id or "")
    chargeback = WebhookEvent(
        "alpha", "evt-cb-1", WebhookKind.CHARGEBACK, row.reference, 1_000, "EUR", 0
    )
    assert await payments.webhook(chargeback) == "applied"
    again = WebhookEvent(
        "alpha", "evt-cb-2", WebhookKind.CHARGEBACK, row.reference, 1_000, "EUR", 0
    )
    assert await payments.webhook(again) == "no-change"
    assert await _cash(platform, player) == 0
    _, owed = await platform.ledger.balance(receivable_account(player.player_id, "EUR"))
    assert owed.available == -800  # the player owes 800: booked, not lost
    assert (await _row(payments, deposit.pending_id or "")).state is State.REVERSED
    await _verified(platform)


async def test_a_refund_goes_back_through_the_charging_provider_and_never_exceeds(
    platform: Platform, payments: PaymentService
) -> None:
    player = await funded_player(platform, "refund@example.com", 100)
    alpha = ScriptedProvider("alpha")
    use_providers(platform, alpha)
    deposit = await platform.wallet.deposit(player, "rf-deposit", 1_000)
    deposit_id = payment_id_of(deposit.pending_id or "")
    first = await payments.refund(deposit_id, "refund-key-1", 600)
    assert first.kind is TransferKind.POST
    assert await payments.refund(deposit_id, "refund-key-1", 600) == first  # a replay
    with pytest.raises(InvalidAmount):
        await payments.refund(deposit_id, "refund-key-2", 401)
    await payments.refund(deposit_id, "refund-key-2", 400)
    assert alpha.count("refund") == 2
    assert await _cash(platform, player) == 100
    await _verified(platform)


async def test_the_closed_loop_refuses_another_card(
    platform: Platform, payments: PaymentService
) -> None:
    player = await funded_player(platform, "loop@example.com", 1_000)
    with pytest.raises(InvalidInput, match="closed loop"):
        await platform.wallet.withdraw(player, "loop-00001", 100, card_token="card_other")
    assert (await platform.wallet.wallet(player)).pending == 0
    await _verified(platform)


async def test_racing_look_ups_settle_once_and_fail_over_once(
    platform: Platform, payments: PaymentService
) -> None:
    player = await funded_player(platform, "racers@example.com", 1_000)
    alpha = ScriptedProvider("alpha", priority=1)
    alpha.script.extend([Act.LOSE_ANSWER, Act.FAIL])
    beta = ScriptedProvider("beta", priority=2)
    use_providers(platform, alpha, beta)
    clock = _clocked(payments)
    lost = await platform.wallet.deposit(player, "racers-001", 300)  # charged, answer lost
    failed = await platform.wallet.deposit(player, "racers-002", 500)  # 5xx, nothing taken
    stale = await _row(payments, failed.id)
    await payments.look_up(stale)  # NOT_FOUND, but too soon to believe: alpha may yet take it
    assert (await _row(payments, failed.id)).provider == "alpha" and beta.calls == []
    clock.now_ms += payments.limits.sent_grace_ms
    for intent in (lost, failed):
        stale = await _row(payments, intent.id)
        await asyncio.gather(*(payments.look_up(stale) for _ in range(8)))
    assert (await _row(payments, lost.id)).provider == "alpha"
    assert (await _row(payments, failed.id)).provider == "beta"
    assert (alpha.count("charge"), beta.count("charge")) == (1, 1)
    assert await _cash(platform, player) == 1_800
    await _verified(platform)
