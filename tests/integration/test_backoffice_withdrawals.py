"""The withdrawal review queue on both engines: a withdrawal above the threshold, or of a
flagged player, is reserved but never reaches the provider until staff approve it; a replay
gets the same pending answer; a decline returns the money; an approval cut off at the
provider is finished by approving again, paid once; the ledger verifies after each."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from croupier.domain.accounts.player import Player
from croupier.domain.errors import NotFound, PaymentDeclined, StateConflict
from croupier.domain.ledger import TransferKind
from croupier.services.backoffice import REVIEW_FLAG, ReviewState
from tests.support.operations import (
    ALICE,
    BOB,
    IP,
    CountingProvider,
    assert_ledger_verifies,
    audit_lines,
    backoffice,
    watch_audit,
)
from tests.support.payments import pass_the_grace, use_providers
from tests.support.platform import funded_player
from tests.support.vault import KEK_ENV

ABOVE = 80_00  # the review threshold is 50.00 EUR


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    settings = load_settings(
        {**KEK_ENV, "CROUPIER_WITHDRAWAL_REVIEW_ABOVE": "50.00"}, database_url=database_url
    )
    opened = await open_platform(settings)
    try:
        yield opened
    finally:
        await opened.close()


async def _held(platform: Platform, email: str, key: str) -> tuple[Player, CountingProvider, str]:
    player = await funded_player(platform, email, 100_00)
    provider = CountingProvider()
    use_providers(platform, provider)
    held = await platform.wallet.withdraw(player, key, ABOVE)
    assert held.kind is TransferKind.PENDING
    return player, provider, held.id


async def test_a_large_withdrawal_waits_reserved_and_a_replay_gets_the_same_answer(
    platform: Platform,
) -> None:
    player, provider, intent = await _held(platform, "big@example.com", "big-withdraw-1")
    again = await platform.wallet.withdraw(player, "big-withdraw-1", ABOVE)
    assert (again.id, again.kind) == (intent, TransferKind.PENDING)
    assert provider.payouts == []  # the provider never heard of it
    wallet = await platform.wallet.wallet(player)
    assert (wallet.cash, wallet.pending) == (100_00 - ABOVE, ABOVE)  # reserved
    queue = await backoffice(platform).withdrawals.queue()
    assert [(q.intent_id, q.amount_minor, q.state) for q in queue] == [
        (intent, ABOVE, ReviewState.PENDING)
    ]
    small = await platform.wallet.withdraw(player, "small-withdraw", 10_00)  # not held
    assert small.kind is TransferKind.POST and provider.payouts == [10_00]
    await assert_ledger_verifies(platform)


async def test_approval_pays_out_once_and_posts(
    platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    watch_audit(caplog)
    player, provider, intent = await _held(platform, "approve@example.com", "approve-key-1")
    paid = await backoffice(platform).withdrawals.approve(
        intent, actor=ALICE, source_ip=IP, reason="documents checked"
    )
    assert paid.kind is TransferKind.POST and paid.pending_id == intent
    assert provider.payouts == [ABOVE]
    # the player's replay now gets the payout; staff approving again change nothing
    replay = await platform.wallet.withdraw(player, "approve-key-1", ABOVE)
    assert replay.id == paid.id
    again = await backoffice(platform).withdrawals.approve(
        intent, actor=BOB, source_ip=IP, reason="again"
    )
    assert again.id == paid.id and len(provider.payouts) == 1
    with pytest.raises(StateConflict):  # paid: never voided
        await backoffice(platform).withdrawals.decline(
            intent, actor=BOB, source_ip=IP, reason="too late"
        )
    wallet = await platform.wallet.wallet(player)
    assert (wallet.cash, wallet.pending) == (100_00 - ABOVE, 0)
    assert await backoffice(platform).withdrawals.queue() == []
    review = await backoffice(platform).withdrawals.review(intent)
    assert (review.state, review.decided_by) == (ReviewState.PAID, ALICE)
    approved = [e for e in audit_lines(caplog) if e["action"] == "withdrawal.approved"]
    assert len(approved) == 1 and approved[0]["reason"] == "documents checked"
    await assert_ledger_verifies(platform)


async def test_decline_returns_the_money_and_the_player_is_told(platform: Platform) -> None:
    player, provider, intent = await _held(platform, "decline@example.com", "decline-key-1")
    void = await backoffice(platform).withdrawals.decline(
        intent, actor=ALICE, source_ip=IP, reason="suspected account takeover"
    )
    assert void.kind is TransferKind.VOID
    again = await backoffice(platform).withdrawals.decline(
        intent, actor=ALICE, source_ip=IP, reason="again"
    )
    assert again.id == void.id  # idempotent
    with pytest.raises(StateConflict):
        await backoffice(platform).withdrawals.approve(
            intent, actor=BOB, source_ip=IP, reason="overrule"
        )
    with pytest.raises(PaymentDeclined) as declined:  # the player's replay
        await platform.wallet.withdraw(player, "decline-key-1", ABOVE)
    assert "takeover" not in str(declined.value)  # staff's reason stays internal
    wallet = await platform.wallet.wallet(player)
    assert (wallet.cash, wallet.pending) == (100_00, 0)
    assert provider.payouts == []
    await assert_ledger_verifies(platform)


async def test_an_approval_cut_off_at_the_provider_is_finished_by_approving_again(
    platform: Platform,
) -> None:
    # Issue 16: a call that dies is an unknown outcome: the approval answers the reservation
    # (still pending) and the review stays approved until the payout is known.
    player, provider, intent = await _held(platform, "crash@example.com", "crash-key-01")
    provider.fail_next = True
    cut = await backoffice(platform).withdrawals.approve(
        intent, actor=ALICE, source_ip=IP, reason="ok"
    )
    assert cut.kind is TransferKind.PENDING and provider.payouts == []
    # decided, so nobody can decline it now (the provider may have paid)
    with pytest.raises(StateConflict):
        await backoffice(platform).withdrawals.decline(intent, actor=BOB, source_ip=IP, reason="no")
    assert [q.state for q in await backoffice(platform).withdrawals.queue()] == [
        ReviewState.APPROVED
    ]
    pass_the_grace(platform)  # the dead call cannot arrive any more: NOT_FOUND is believed
    paid = await backoffice(platform).withdrawals.approve(
        intent, actor=BOB, source_ip=IP, reason="finish it"
    )
    assert paid.kind is TransferKind.POST and provider.payouts == [ABOVE]
    assert (await platform.wallet.wallet(player)).pending == 0
    assert (await backoffice(platform).withdrawals.review(intent)).state is ReviewState.PAID
    await assert_ledger_verifies(platform)


async def test_two_approvals_at_once_pay_once(platform: Platform) -> None:
    _, provider, intent = await _held(platform, "twice@example.com", "twice-key-01")
    results = await asyncio.gather(
        *(
            backoffice(platform).withdrawals.approve(
                intent, actor=f"staff:s{n}", source_ip=IP, reason="race"
            )
            for n in range(4)
        ),
        return_exceptions=True,
    )
    assert all(not isinstance(r, BaseException) for r in results), results
    assert len({r.id for r in results if not isinstance(r, BaseException)}) == 1
    assert provider.payouts == [ABOVE]
    await assert_ledger_verifies(platform)


async def test_a_flagged_players_withdrawals_all_wait(platform: Platform) -> None:
    player = await funded_player(platform, "flagged@example.com", 100_00)
    provider = CountingProvider()
    use_providers(platform, provider)
    await backoffice(platform).accounts.set_flags(
        player.player_id, [REVIEW_FLAG], actor=ALICE, source_ip=IP, reason="AML alert"
    )
    held = await platform.wallet.withdraw(player, "flagged-small", 5_00)
    assert held.kind is TransferKind.PENDING and provider.payouts == []
    await backoffice(platform).accounts.set_flags(
        player.player_id, [], actor=ALICE, source_ip=IP, reason="cleared"
    )
    # the replay keeps its first answer: it was held, it stays held until decided
    again = await platform.wallet.withdraw(player, "flagged-small", 5_00)
    assert again.kind is TransferKind.PENDING and provider.payouts == []
    await assert_ledger_verifies(platform)


async def test_a_provider_decline_after_approval_voids(platform: Platform) -> None:
    player, _, intent = await _held(platform, "provider@example.com", "provider-no-1")
    use_providers(platform, CountingProvider(approve=False))
    with pytest.raises(PaymentDeclined):
        await backoffice(platform).withdrawals.approve(
            intent, actor=ALICE, source_ip=IP, reason="ok"
        )
    assert (await backoffice(platform).withdrawals.review(intent)).state is ReviewState.FAILED
    assert (await platform.wallet.wallet(player)).cash == 100_00
    with pytest.raises(NotFound):
        await backoffice(platform).withdrawals.review("withdrawal:nobody:nothing1")
    await assert_ledger_verifies(platform)
