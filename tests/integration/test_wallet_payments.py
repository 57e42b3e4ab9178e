"""Deposits and withdrawals through the payments layer, attacked with colliding and racing
idempotency keys: a provider hears only of requests whose ledger record is already
committed, each key moves its own amount once, and the ledger verifies afterwards.

(Issue 16 changed two answers here: a provider call that dies is an *unknown* outcome, so
the request answers its pending intent and the same request again looks it up and finishes
it; and providers now see our payment reference, not the client's key.)"""

from __future__ import annotations

import asyncio

import pytest

from croupier.bootstrap import Platform
from croupier.domain.accounts.player import Player
from croupier.domain.errors import IdempotencyConflict
from croupier.domain.ledger import TransferKind
from croupier.services.ledger import verify_ledger
from croupier.services.wallet import PaymentDeclined
from tests.support.payments import Act, ScriptedProvider, pass_the_grace, use_providers
from tests.support.platform import funded_player


async def _player(
    platform: Platform, email: str, deposit_minor: int
) -> tuple[Player, ScriptedProvider]:
    player = await funded_player(platform, email, deposit_minor)
    provider = ScriptedProvider()
    use_providers(platform, provider)
    return player, provider


def _amounts(provider: ScriptedProvider, kind: str) -> list[int]:
    return [amount for k, amount in provider.moved.values() if k == kind]


async def _assert_settled(platform: Platform, player: Player, cash: int) -> None:
    wallet = await platform.wallet.wallet(player)
    assert (wallet.cash, wallet.pending) == (cash, 0)
    assert await platform.ledger.open_pendings_debiting(player.cash_account_id) == []
    assert (await verify_ledger(platform.ledger.store)).ok


async def test_a_key_ending_in_a_step_name_is_its_own_withdrawal(platform: Platform) -> None:
    player, provider = await _player(platform, "colon@example.com", 10_000)
    first = await platform.wallet.withdraw(player, "wdrev0001:paid", 2_000)
    second = await platform.wallet.withdraw(player, "wdrev0001", 3_000)
    assert (first.amount_minor, second.amount_minor) == (2_000, 3_000)
    assert first.id != second.id and first.pending_id != second.pending_id
    assert sorted(_amounts(provider, "payout")) == [2_000, 3_000]
    await _assert_settled(platform, player, 10_000 - 5_000)


async def test_racing_colliding_keys_each_pay_once_and_leave_nothing_open(
    platform: Platform,
) -> None:
    player, provider = await _player(platform, "race@example.com", 20_000)
    keys = [f"race{n:04d}" for n in range(25)]
    requests = [platform.wallet.withdraw(player, key, 100) for key in keys]
    requests += [platform.wallet.withdraw(player, f"{key}:paid", 300) for key in keys]
    results = await asyncio.gather(*requests)
    assert sorted(t.amount_minor for t in results) == [100] * 25 + [300] * 25
    assert provider.count("payout") == 50
    await _assert_settled(platform, player, 20_000 - 25 * 400)


async def test_one_deposit_key_racing_many_amounts_charges_once(platform: Platform) -> None:
    player, provider = await _player(platform, "dep@example.com", 100)
    attempts = [platform.wallet.deposit(player, "dep-race-0001", 1_000 + n) for n in range(20)]
    results = await asyncio.gather(*attempts, return_exceptions=True)
    credited = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(credited) == 1 and all(isinstance(r, IdempotencyConflict) for r in refused)
    assert _amounts(provider, "charge") == [credited[0].amount_minor]
    await _assert_settled(platform, player, 100 + credited[0].amount_minor)


async def test_another_amount_under_a_used_key_never_reaches_the_provider(
    platform: Platform,
) -> None:
    player, provider = await _player(platform, "reuse@example.com", 5_000)
    paid = await platform.wallet.withdraw(player, "wd-reuse-001", 1_000)
    await platform.wallet.deposit(player, "dep-reuse-01", 700)
    with pytest.raises(IdempotencyConflict, match="another amount"):
        await platform.wallet.withdraw(player, "wd-reuse-001", 1_001)
    with pytest.raises(IdempotencyConflict, match="another amount"):
        await platform.wallet.deposit(player, "dep-reuse-01", 701)
    assert await platform.wallet.withdraw(player, "wd-reuse-001", 1_000) == paid  # a replay
    assert len(provider.calls) == 2
    await _assert_settled(platform, player, 5_000 - 1_000 + 700)


async def test_a_declined_payment_stays_declined_and_releases_the_funds(
    platform: Platform,
) -> None:
    player, _ = await _player(platform, "declined@example.com", 5_000)
    declining = ScriptedProvider(default=Act.DECLINE)
    use_providers(platform, declining)
    for _ in range(2):  # the replay gets the same answer without asking the provider again
        with pytest.raises(PaymentDeclined, match="declined by sandbox"):
            await platform.wallet.withdraw(player, "wd-declined1", 4_000)
        with pytest.raises(PaymentDeclined, match="declined by sandbox"):
            await platform.wallet.deposit(player, "dep-declined", 4_000)
    assert len(declining.calls) == 2
    await _assert_settled(platform, player, 5_000)


async def test_a_call_that_dies_is_pending_and_finished_by_the_same_request_again(
    platform: Platform,
) -> None:
    player, provider = await _player(platform, "crash@example.com", 5_000)
    provider.script.extend([Act.RAISE, Act.LOSE_ANSWER])
    deposit = await platform.wallet.deposit(player, "dep-crash-01", 2_000)
    assert deposit.kind is TransferKind.PENDING  # the outcome is unknown: 202
    wallet = await platform.wallet.wallet(player)
    assert wallet.cash == 5_000  # the recorded intent credits nothing
    withdrawal = await platform.wallet.withdraw(player, "wd-crash-001", 1_000)
    assert withdrawal.kind is TransferKind.PENDING  # paid, but the answer was lost
    wallet = await platform.wallet.wallet(player)
    assert (wallet.cash, wallet.pending) == (4_000, 1_000)  # held, not returned: maybe paid
    pass_the_grace(platform)  # the dead call cannot arrive any more: NOT_FOUND is believed
    deposit = await platform.wallet.deposit(player, "dep-crash-01", 2_000)
    withdrawal = await platform.wallet.withdraw(player, "wd-crash-001", 1_000)
    assert (deposit.kind, withdrawal.kind) == (TransferKind.POST, TransferKind.POST)
    assert (_amounts(provider, "charge"), _amounts(provider, "payout")) == ([2_000], [1_000])
    await _assert_settled(platform, player, 5_000 + 2_000 - 1_000)
