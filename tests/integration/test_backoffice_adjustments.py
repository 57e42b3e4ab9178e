"""Manual adjustments on both engines: under the threshold they post at once, above it they
wait for a second pair of eyes; idempotent by request id; a debit never goes below zero; a
crash after the approval is finished at the next start; every one audited; the ledger
verifies after each."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from croupier.bootstrap import Platform, open_platform
from croupier.config import Settings, load_settings
from croupier.domain.errors import (
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    InvalidInput,
    NotFound,
)
from croupier.services.backoffice import AdjustmentState
from croupier.services.backoffice.adjustments import adjustments_account
from tests.support.operations import (
    ALICE,
    BOB,
    IP,
    assert_ledger_verifies,
    audit_lines,
    backoffice,
    watch_audit,
)
from tests.support.platform import funded_player
from tests.support.vault import KEK_ENV


def _settings(database_url: str) -> Settings:
    return load_settings(
        {**KEK_ENV, "CROUPIER_ADJUSTMENT_APPROVAL_ABOVE": "100.00"}, database_url=database_url
    )


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    opened = await open_platform(_settings(database_url))
    try:
        yield opened
    finally:
        await opened.close()


async def test_a_small_credit_posts_at_once_and_a_replay_posts_nothing_more(
    platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    watch_audit(caplog)
    player = await funded_player(platform, "small@example.com", 1_000)
    ask = {
        "request_id": "goodwill-0001",
        "player_id": player.player_id,
        "direction": "credit",
        "amount_minor": 25_00,
        "reason_code": "goodwill",
        "actor": ALICE,
        "source_ip": IP,
        "reason": "slow withdrawal",
    }
    first = await backoffice(platform).adjustments.request(**ask)
    again = await backoffice(platform).adjustments.request(**ask)
    assert first.state is AdjustmentState.POSTED and again.transfer_id == first.transfer_id
    assert (await platform.wallet.wallet(player)).cash == 1_000 + 25_00
    _, house = await platform.ledger.balance(adjustments_account("EUR"))
    assert house.posted == -25_00  # the operator's tally of what it gave
    with pytest.raises(IdempotencyConflict):
        await backoffice(platform).adjustments.request(**{**ask, "amount_minor": 26_00})
    posted = [e for e in audit_lines(caplog) if e["action"] == "adjustment.posted"]
    assert posted and posted[0]["actor"] == ALICE and posted[0]["source_ip"] == IP
    assert posted[0]["reason"] == "slow withdrawal" and posted[0]["after"]["amount_minor"] == 2500
    await assert_ledger_verifies(platform)


async def test_a_debit_never_takes_the_player_below_zero(platform: Platform) -> None:
    player = await funded_player(platform, "debit@example.com", 30_00)
    bo = backoffice(platform).adjustments
    with pytest.raises(InsufficientFunds):
        await bo.request(
            request_id="chargeback-01",
            player_id=player.player_id,
            direction="debit",
            amount_minor=40_00,
            reason_code="correction",
            actor=ALICE,
            source_ip=IP,
            reason="double credit",
        )
    with pytest.raises(InsufficientFunds):  # above the threshold: refused before it waits
        await bo.request(
            request_id="chargeback-02",
            player_id=player.player_id,
            direction="debit",
            amount_minor=200_00,
            reason_code="correction",
            actor=ALICE,
            source_ip=IP,
            reason="double credit",
        )
    done = await bo.request(
        request_id="chargeback-03",
        player_id=player.player_id,
        direction="debit",
        amount_minor=30_00,
        reason_code="correction",
        actor=ALICE,
        source_ip=IP,
        reason="double credit",
    )
    assert done.state is AdjustmentState.POSTED
    assert (await platform.wallet.wallet(player)).cash == 0
    await assert_ledger_verifies(platform)


async def test_a_large_debit_approved_after_the_money_left_fails_and_moves_nothing(
    platform: Platform,
) -> None:
    player = await funded_player(platform, "late@example.com", 300_00)
    bo = backoffice(platform).adjustments
    pending = await bo.request(
        request_id="big-debit-01",
        player_id=player.player_id,
        direction="debit",
        amount_minor=250_00,
        reason_code="chargeback-reversal",
        actor=ALICE,
        source_ip=IP,
        reason="card chargeback",
    )
    assert pending.state is AdjustmentState.PENDING
    await platform.wallet.withdraw(player, "takes-it-all", 100_00)
    with pytest.raises(InsufficientFunds):
        await bo.approve("big-debit-01", actor=BOB, source_ip=IP, reason="checked")
    assert (await bo.get("big-debit-01")).state is AdjustmentState.FAILED
    assert (await platform.wallet.wallet(player)).cash == 200_00
    await assert_ledger_verifies(platform)


async def test_bad_requests_are_refused_and_store_nothing(platform: Platform) -> None:
    player = await funded_player(platform, "bad@example.com", 1_000)
    good = {
        "request_id": "bad-request-1",
        "player_id": player.player_id,
        "direction": "credit",
        "amount_minor": 100,
        "reason_code": "goodwill",
        "actor": ALICE,
        "source_ip": IP,
        "reason": "why",
    }
    bo = backoffice(platform).adjustments
    for change, error in (
        ({"reason_code": "because"}, InvalidInput),
        ({"direction": "sideways"}, InvalidInput),
        ({"amount_minor": 0}, InvalidAmount),
        ({"amount_minor": 1.5}, InvalidAmount),
        ({"amount_minor": True}, InvalidAmount),
        ({"request_id": "short"}, InvalidInput),
        ({"reason": "  "}, InvalidInput),
        ({"player_id": "nobody"}, NotFound),
    ):
        with pytest.raises(error):
            await bo.request(**{**good, **change})
    assert await bo.adjustments() == []
    assert (await platform.wallet.wallet(player)).cash == 1_000


async def test_an_approval_cut_off_before_its_post_is_finished_at_the_next_start(
    database_url: str,
) -> None:
    settings = _settings(database_url)
    platform = await open_platform(settings)
    try:
        player = await funded_player(platform, "cutoff@example.com", 1_000)
        bo = backoffice(platform)
        await bo.adjustments.request(
            request_id="cut-off-0001",
            player_id=player.player_id,
            direction="credit",
            amount_minor=150_00,
            reason_code="promotion",
            actor=ALICE,
            source_ip=IP,
            reason="tournament prize",
        )
        # The decision is stored, then the process dies before the ledger hears of it.
        assert await bo.store.decide_adjustment(
            "cut-off-0001",
            from_states=(AdjustmentState.PENDING,),
            to_state=AdjustmentState.APPROVED,
            by=BOB,
            at_ms=1,
            reason="ok",
        )
    finally:
        await platform.close()
    platform = await open_platform(settings)
    try:
        stored = await backoffice(platform).adjustments.get("cut-off-0001")
        assert stored.state is AdjustmentState.POSTED
        assert (await platform.wallet.wallet(player)).cash == 1_000 + 150_00
        await assert_ledger_verifies(platform)
    finally:
        await platform.close()
