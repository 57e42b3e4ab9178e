"""The sandbox PSPs seen through their adapters: every scripted behaviour, idempotency at the
PSP, webhooks (signatures, duplicates, reordering, drops, retries) and the settlement CSV.
Each test runs on both flavours: the same port, two different APIs and signature schemes."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
from collections.abc import AsyncIterator, Callable

import pytest

from croupier.services.payments.ports import (
    ChargeRequest,
    Instrument,
    Outcome,
    PaymentProvider,
    PayoutRequest,
    RefundRequest,
    SettlementLine,
    WebhookKind,
    WebhookRejected,
)
from tests.support.psp import SandboxPsp, WebhookInbox, running_inbox, running_psp

CARD_NUMBER = "4111111111111111"
CARD = Instrument(
    kind="card", token="card_t1", country="DE", secret={"number": CARD_NUMBER, "expiry": "12/30"}
)
NOON_MS = int(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC).timestamp() * 1000)


def ticking_clock() -> Callable[[], int]:
    """A PSP clock on 2026-03-01 that moves a millisecond per reading."""
    ticks = itertools.count(NOON_MS)
    return lambda: next(ticks)


def charge(reference: str, amount_minor: int = 1_000, currency: str = "EUR") -> ChargeRequest:
    return ChargeRequest(reference, "player-1", amount_minor, currency, CARD)


def payout(reference: str, amount_minor: int = 500) -> PayoutRequest:
    return PayoutRequest(reference, "player-1", amount_minor, "EUR", CARD)


@pytest.fixture(params=["alpha", "beta"])
async def psp(request: pytest.FixtureRequest) -> AsyncIterator[tuple[SandboxPsp, WebhookInbox]]:
    async with (
        running_inbox() as inbox,
        running_psp(request.param, webhook_url=inbox.url, clock_ms=ticking_clock()) as sandbox,
    ):
        yield sandbox, inbox


@pytest.fixture
async def provider(psp: tuple[SandboxPsp, WebhookInbox]) -> AsyncIterator[PaymentProvider]:
    adapter = psp[0].provider(timeout_ms=500)
    try:
        yield adapter
    finally:
        await adapter.aclose()  # type: ignore[attr-defined]


async def test_an_approved_charge_is_approved_and_found(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    answer = await provider.charge(charge("c-1"))
    assert answer.outcome is Outcome.APPROVED
    assert answer.provider_ref and answer.amount_minor == 1_000
    status = await provider.status("c-1")
    assert (status.outcome, status.provider_ref) == (Outcome.APPROVED, answer.provider_ref)
    record = await psp[0].payment("c-1")
    assert record is not None and record["card_last4"] == "1111"


async def test_a_scripted_decline_is_declined_with_its_reason(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    await psp[0].script("decline", reason="insufficient funds")
    answer = await provider.charge(charge("c-1"))
    assert (answer.outcome, answer.reason) == (Outcome.DECLINED, "insufficient funds")
    assert (await provider.status("c-1")).outcome is Outcome.DECLINED


async def test_a_hung_request_is_unknown_then_the_look_up_finds_it_approved(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    await psp[0].script("hang")
    answer = await provider.charge(charge("c-1"))
    assert answer.outcome is Outcome.UNKNOWN and "no answer" in answer.reason
    assert (await provider.status("c-1")).outcome is Outcome.APPROVED


async def test_a_slow_answer_within_the_timeout_is_an_answer(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    await psp[0].script("slow", delay_ms=50)
    assert (await provider.charge(charge("c-1"))).outcome is Outcome.APPROVED


@pytest.mark.parametrize("how", ["abort", "502"])
async def test_a_lost_answer_is_unknown_then_the_look_up_finds_it_approved(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider, how: str
) -> None:
    await psp[0].script("lose_answer", how=how)
    answer = await provider.charge(charge("c-1"))
    assert answer.outcome is Outcome.UNKNOWN
    assert (await provider.status("c-1")).outcome is Outcome.APPROVED
    # The webhook tells too.
    deliveries = await psp[1].wait_for(1)
    event = provider.verify_webhook(deliveries[0].headers, deliveries[0].body, NOON_MS)
    assert (event.kind, event.reference) == (WebhookKind.CHARGE_SUCCEEDED, "c-1")


async def test_a_5xx_is_unknown_and_the_look_up_proves_nothing_moved(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    await psp[0].script("error", status_code=503)
    answer = await provider.charge(charge("c-1"))
    assert (answer.outcome, answer.reason) == (Outcome.UNKNOWN, "HTTP 503")
    assert (await provider.status("c-1")).outcome is Outcome.NOT_FOUND


async def test_a_5xx_after_applying_is_unknown_and_the_look_up_finds_it(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    await psp[0].script("error", status_code=500, apply=True)
    assert (await provider.charge(charge("c-1"))).outcome is Outcome.UNKNOWN
    assert (await provider.status("c-1")).outcome is Outcome.APPROVED


async def test_a_look_up_of_a_reference_never_sent_is_not_found(
    provider: PaymentProvider,
) -> None:
    assert (await provider.status("never-sent")).outcome is Outcome.NOT_FOUND


async def test_a_look_up_that_fails_is_unknown_not_not_found(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    await psp[0].script("error", operations=["status"])
    assert (await provider.status("never-sent")).outcome is Outcome.UNKNOWN
    await psp[0].script("hang", operations=["status"])
    assert (await provider.status("never-sent")).outcome is Outcome.UNKNOWN


async def test_a_provider_that_is_down_answers_unknown_until_it_is_back(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    await psp[0].script("error", times=None, operations=["charge", "status"])
    for reference in ("c-1", "c-2"):
        assert (await provider.charge(charge(reference))).outcome is Outcome.UNKNOWN
    assert (await provider.status("c-1")).outcome is Outcome.UNKNOWN
    await psp[0].clear_script()
    assert (await provider.status("c-1")).outcome is Outcome.NOT_FOUND


async def test_a_pending_charge_settles_later_by_webhook(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    sandbox, inbox = psp
    await sandbox.script("pending", settle_after_ms=None)
    assert (await provider.charge(charge("c-1"))).outcome is Outcome.PENDING
    assert (await provider.status("c-1")).outcome is Outcome.PENDING
    await sandbox.settle("c-1", "declined")
    deliveries = await inbox.wait_for(1)
    event = provider.verify_webhook(deliveries[0].headers, deliveries[0].body, NOON_MS)
    assert (event.kind, event.reference) == (WebhookKind.CHARGE_FAILED, "c-1")
    assert (await provider.status("c-1")).outcome is Outcome.DECLINED


async def test_a_pending_charge_settles_by_itself_when_told_when(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    await psp[0].script("pending", settle_after_ms=10)
    assert (await provider.charge(charge("c-1"))).outcome is Outcome.PENDING
    deliveries = await psp[1].wait_for(1)
    event = provider.verify_webhook(deliveries[0].headers, deliveries[0].body, NOON_MS)
    assert event.kind is WebhookKind.CHARGE_SUCCEEDED
    assert (await provider.status("c-1")).outcome is Outcome.APPROVED


async def test_the_same_reference_never_moves_money_twice(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    await psp[0].script("slow", delay_ms=50, times=3)
    answers = await asyncio.gather(*(provider.charge(charge("c-1")) for _ in range(5)))
    assert {a.outcome for a in answers} == {Outcome.APPROVED}
    assert len({a.provider_ref for a in answers}) == 1
    # After a lost answer, asking again gives the first answer.
    await psp[0].script("lose_answer")
    assert (await provider.charge(charge("c-2"))).outcome is Outcome.UNKNOWN
    again = await provider.charge(charge("c-2"))
    assert again.outcome is Outcome.APPROVED
    lines = await provider.settlement_report(dt.date(2026, 3, 1))
    assert sorted(line.reference for line in lines) == ["c-1", "c-2"]


async def test_the_same_reference_with_another_amount_is_refused_and_moves_nothing(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    assert (await provider.charge(charge("c-1", 1_000))).outcome is Outcome.APPROVED
    conflict = await provider.charge(charge("c-1", 2_000))
    assert conflict.outcome is Outcome.UNKNOWN and "409" in conflict.reason
    status = await provider.status("c-1")
    assert (status.outcome, status.amount_minor) == (Outcome.APPROVED, 1_000)


async def test_payouts_and_refunds(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    assert (await provider.payout(payout("p-1"))).outcome is Outcome.APPROVED
    assert (await provider.charge(charge("c-1", 1_000))).outcome is Outcome.APPROVED
    refund = await provider.refund(RefundRequest("r-1", "c-1", 400, "EUR"))
    assert refund.outcome is Outcome.APPROVED
    too_much = await provider.refund(RefundRequest("r-2", "c-1", 601, "EUR"))
    assert too_much.outcome is Outcome.DECLINED and "left" in too_much.reason
    orphan = await provider.refund(RefundRequest("r-3", "nothing", 1, "EUR"))
    assert orphan.outcome is Outcome.DECLINED
    assert (await provider.status("r-1")).outcome is Outcome.APPROVED


async def test_card_data_is_never_in_an_answer_or_a_log(
    psp: tuple[SandboxPsp, WebhookInbox],
    provider: PaymentProvider,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    answers = []
    for index, (action, params) in enumerate(
        [
            ("approve", {}),
            ("decline", {}),
            ("hang", {}),
            ("error", {}),
            ("lose_answer", {}),
            ("lose_answer", {"how": "502"}),
        ]
    ):
        await psp[0].script(action, **params)
        answers.append(await provider.charge(charge(f"c-{index}")))
        answers.append(await provider.payout(payout(f"p-{index}")))
    assert CARD_NUMBER not in repr(answers) + repr(provider) + repr(CARD)
    assert CARD_NUMBER not in caplog.text
    assert CARD_NUMBER not in str(await psp[0].events())


async def test_webhooks_verify_and_tell_what_moved(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    sandbox, inbox = psp
    await provider.charge(charge("c-1", 1_000))
    await provider.payout(payout("p-1", 300))
    await sandbox.chargeback("c-1", 250)
    await sandbox.dashboard_refund("c-1", 100)
    deliveries = await inbox.wait_for(4)
    events = [provider.verify_webhook(d.headers, d.body, NOON_MS) for d in deliveries]
    seen = sorted((e.kind, e.reference, e.amount_minor, e.currency) for e in events)
    assert seen == sorted(
        [
            (WebhookKind.CHARGE_SUCCEEDED, "c-1", 1_000, "EUR"),
            (WebhookKind.PAYOUT_SUCCEEDED, "p-1", 300, "EUR"),
            (WebhookKind.CHARGEBACK, "c-1", 250, "EUR"),
            (WebhookKind.REFUND_SUCCEEDED, "c-1", 100, "EUR"),
        ]
    )
    assert len({e.event_id for e in events}) == 4
    assert {e.provider for e in events} == {provider.profile.name}


async def test_a_webhook_tampered_stale_or_replayed_is_rejected(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    await provider.charge(charge("c-1"))
    delivery = (await psp[1].wait_for(1))[0]
    provider.verify_webhook(delivery.headers, delivery.body, NOON_MS)
    tampered = delivery.body.replace(b"1000", b"9000")
    with pytest.raises(WebhookRejected, match="signature"):
        provider.verify_webhook(delivery.headers, tampered, NOON_MS)
    # The same delivery replayed five minutes and a second later.
    with pytest.raises(WebhookRejected, match="window"):
        provider.verify_webhook(delivery.headers, delivery.body, NOON_MS + 301_000)
    with pytest.raises(WebhookRejected, match="window"):
        provider.verify_webhook(delivery.headers, delivery.body, NOON_MS - 301_000)
    with pytest.raises(WebhookRejected, match="missing"):
        provider.verify_webhook({}, delivery.body, NOON_MS)


async def test_a_webhook_signed_by_another_psp_is_rejected(
    psp: tuple[SandboxPsp, WebhookInbox],
) -> None:
    flavour = psp[0].flavour
    async with running_psp(flavour, webhook_secret="other", signing_seed=b"\x02" * 32) as other:
        stranger = other.provider()
        body = b'{"id":"evt_1"}'
        with pytest.raises(WebhookRejected, match="signature"):
            psp[0].provider().verify_webhook(other.sign(body, NOON_MS), body, NOON_MS)
        await stranger.aclose()  # type: ignore[attr-defined]


async def test_duplicated_webhooks_arrive_with_one_event_id(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    await psp[0].script("duplicate", copies=3)
    await provider.charge(charge("c-1"))
    deliveries = await psp[1].wait_for(3)
    ids = {provider.verify_webhook(d.headers, d.body, NOON_MS).event_id for d in deliveries}
    assert len(deliveries) == 3 and len(ids) == 1


async def test_a_reordered_webhook_arrives_after_a_later_one(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    sandbox, inbox = psp
    await sandbox.script("reorder", kinds=["charge.succeeded"])
    await provider.charge(charge("c-1"))
    await sandbox.chargeback("c-1")
    deliveries = await inbox.wait_for(2)
    kinds = [provider.verify_webhook(d.headers, d.body, NOON_MS).kind for d in deliveries]
    assert kinds == [WebhookKind.CHARGEBACK, WebhookKind.CHARGE_SUCCEEDED]


async def test_a_dropped_webhook_never_arrives_but_the_look_up_tells(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    sandbox, inbox = psp
    await sandbox.script("drop")
    await provider.charge(charge("c-1"))
    records = await sandbox.wait_deliveries()
    assert [r["state"] for r in records] == ["dropped"]
    assert inbox.received == []
    assert (await provider.status("c-1")).outcome is Outcome.APPROVED


async def test_a_refused_delivery_is_retried_until_accepted(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    sandbox, inbox = psp
    inbox.fail_next(2, status_code=503)
    await provider.charge(charge("c-1"))
    assert len(await inbox.wait_for(1)) == 1
    records = await sandbox.wait_deliveries()
    assert records[0]["attempts"] == [503, 503, 200]


async def test_the_settlement_report_round_trips(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    sandbox, _ = psp
    await provider.charge(charge("c-1", 1_000))
    await provider.charge(charge("c-2", 700, "USD"))
    await sandbox.script("decline")
    await provider.charge(charge("c-3", 10))
    await provider.payout(payout("p-1", 300))
    await provider.refund(RefundRequest("r-1", "c-1", 400, "EUR"))
    await sandbox.chargeback("c-2")
    lines = await provider.settlement_report(dt.date(2026, 3, 1))
    assert all(isinstance(line, SettlementLine) for line in lines)
    assert [(ln.reference, ln.kind, ln.amount_minor, ln.currency) for ln in lines] == [
        ("c-1", "charge", 1_000, "EUR"),
        ("c-2", "charge", 700, "USD"),
        ("p-1", "payout", 300, "EUR"),
        ("r-1", "refund", 400, "EUR"),
        ("c-2", "chargeback", 700, "USD"),
    ]
    for line in lines:
        assert dt.datetime.fromtimestamp(line.settled_at_ms / 1000, dt.UTC).date() == dt.date(
            2026, 3, 1
        )
    status = await provider.status("p-1")
    assert next(ln for ln in lines if ln.reference == "p-1").provider_ref == status.provider_ref
    assert await provider.settlement_report(dt.date(2026, 3, 2)) == []


async def test_a_delayed_webhook_still_arrives(
    psp: tuple[SandboxPsp, WebhookInbox], provider: PaymentProvider
) -> None:
    sandbox, inbox = psp
    await sandbox.script("delay", delay_ms=20, reference="c-1")
    await provider.charge(charge("c-1"))
    deliveries = await inbox.wait_for(1)
    assert (
        provider.verify_webhook(deliveries[0].headers, deliveries[0].body, NOON_MS).reference
        == "c-1"
    )
    records = await sandbox.wait_deliveries()
    assert [(r["mode"], r["state"]) for r in records] == [("delay", "delivered")]
