"""Four-eyes bypass attempts on manual adjustments, on both engines: an adjustment above the
approval threshold moves nothing until a *second* staff member approves it, and every way
around that is refused with nothing moved and the ledger still verifying."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from croupier.domain.accounts.player import Player
from croupier.domain.errors import Forbidden, IdempotencyConflict, StateConflict
from croupier.services.backoffice import Adjustment, AdjustmentState
from tests.support.operations import ALICE, BOB, IP, assert_ledger_verifies, backoffice
from tests.support.platform import funded_player
from tests.support.vault import KEK_ENV

ABOVE = 500_00  # the threshold is 100.00 EUR: this needs four eyes


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    settings = load_settings(
        {**KEK_ENV, "CROUPIER_ADJUSTMENT_APPROVAL_ABOVE": "100.00"}, database_url=database_url
    )
    opened = await open_platform(settings)
    try:
        yield opened
    finally:
        await opened.close()


async def _pending(platform: Platform, player: Player, request_id: str) -> Adjustment:
    adjustment = await backoffice(platform).adjustments.request(
        request_id=request_id,
        player_id=player.player_id,
        direction="credit",
        amount_minor=ABOVE,
        reason_code="goodwill",
        actor=ALICE,
        source_ip=IP,
        reason="apology for the outage",
    )
    assert adjustment.state is AdjustmentState.PENDING
    return adjustment


async def _cash(platform: Platform, player: Player) -> int:
    return (await platform.wallet.wallet(player)).cash


async def test_the_requester_cannot_approve_their_own(platform: Platform) -> None:
    player = await funded_player(platform, "self@example.com", 1_000)
    await _pending(platform, player, "self-approve-1")
    disguises = (
        ALICE,
        "STAFF:ALICE",
        "staff:Alice",
        " staff:alice ",
        "staff:ａｌｉｃｅ",  # fullwidth: folded to alice
        "staff:alice\u200b",  # an invisible character: not a staff id at all
        "staff:\u0430lice",  # a Cyrillic a: not a staff id at all
    )
    for disguise in disguises:
        with pytest.raises(Forbidden):
            await backoffice(platform).adjustments.approve(
                "self-approve-1", actor=disguise, source_ip=IP, reason="looks fine"
            )
    assert await _cash(platform, player) == 1_000  # nothing moved
    stored = await backoffice(platform).adjustments.get("self-approve-1")
    assert stored.state is AdjustmentState.PENDING
    await assert_ledger_verifies(platform)


async def test_only_staff_can_approve(platform: Platform) -> None:
    player = await funded_player(platform, "nonstaff@example.com", 1_000)
    await _pending(platform, player, "non-staff-1")
    for actor in ("system", f"player:{player.player_id}", "anonymous", "staff:", "bob"):
        with pytest.raises(Forbidden):
            await backoffice(platform).adjustments.approve(
                "non-staff-1", actor=actor, source_ip=IP, reason="approve"
            )
    assert await _cash(platform, player) == 1_000


async def test_a_second_staff_member_approves_and_it_posts_once(platform: Platform) -> None:
    player = await funded_player(platform, "approved@example.com", 1_000)
    await _pending(platform, player, "approve-ok-1")
    assert await _cash(platform, player) == 1_000  # pending: nothing moved yet
    posted = await backoffice(platform).adjustments.approve(
        "approve-ok-1", actor=BOB, source_ip=IP, reason="verified the outage"
    )
    assert posted.state is AdjustmentState.POSTED and posted.decided_by == BOB
    assert await _cash(platform, player) == 1_000 + ABOVE
    with pytest.raises(StateConflict):  # approved twice: refused, not posted twice
        await backoffice(platform).adjustments.approve(
            "approve-ok-1", actor="staff:carol", source_ip=IP, reason="again"
        )
    assert await _cash(platform, player) == 1_000 + ABOVE
    await assert_ledger_verifies(platform)


async def test_two_approvals_at_once_post_once(platform: Platform) -> None:
    player = await funded_player(platform, "race@example.com", 1_000)
    await _pending(platform, player, "approve-race-1")
    approvals = await asyncio.gather(
        *(
            backoffice(platform).adjustments.approve(
                "approve-race-1", actor=f"staff:checker{n}", source_ip=IP, reason="race"
            )
            for n in range(6)
        ),
        return_exceptions=True,
    )
    posted = [a for a in approvals if isinstance(a, Adjustment)]
    refused = [a for a in approvals if isinstance(a, StateConflict)]
    assert (len(posted), len(refused)) == (1, 5), approvals
    assert await _cash(platform, player) == 1_000 + ABOVE
    await assert_ledger_verifies(platform)


async def test_a_rejected_request_cannot_be_approved(platform: Platform) -> None:
    player = await funded_player(platform, "rejected@example.com", 1_000)
    await _pending(platform, player, "rejected-1")
    rejected = await backoffice(platform).adjustments.reject(
        "rejected-1", actor=BOB, source_ip=IP, reason="no outage that day"
    )
    assert rejected.state is AdjustmentState.REJECTED
    with pytest.raises(StateConflict):
        await backoffice(platform).adjustments.approve(
            "rejected-1", actor="staff:carol", source_ip=IP, reason="overrule"
        )
    with pytest.raises(StateConflict):
        await backoffice(platform).adjustments.reject(
            "rejected-1", actor="staff:carol", source_ip=IP, reason="again"
        )
    assert await _cash(platform, player) == 1_000
    await assert_ledger_verifies(platform)


async def test_a_replayed_request_cannot_change_who_asked(platform: Platform) -> None:
    """The same request id replayed by the approver does not make them the requester."""
    player = await funded_player(platform, "replay@example.com", 1_000)
    await _pending(platform, player, "replay-who-1")
    with pytest.raises(IdempotencyConflict):
        await backoffice(platform).adjustments.request(
            request_id="replay-who-1",
            player_id=player.player_id,
            direction="credit",
            amount_minor=ABOVE,
            reason_code="goodwill",
            actor=BOB,
            source_ip=IP,
            reason="apology for the outage",
        )
    with pytest.raises(Forbidden):  # still Alice's: she cannot approve it
        await backoffice(platform).adjustments.approve(
            "replay-who-1", actor=ALICE, source_ip=IP, reason="mine"
        )
    assert await _cash(platform, player) == 1_000
