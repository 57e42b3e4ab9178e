"""The payments workflow store on both backends: one contract. Conditional updates let one
of two racing workers apply; webhooks are de-duplicated by (provider, event id)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from croupier.adapters.storage.payments_store import make_payment_store
from croupier.bootstrap import make_store
from croupier.domain.payments.states import Kind, State
from croupier.services.payments.store import AttemptRow, PaymentRow, PaymentStore

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[PaymentStore]:
    ledger = make_store(database_url)
    await ledger.open(writer=True)  # migrates
    payments = make_payment_store(database_url)
    await payments.open()
    try:
        yield payments
    finally:
        await payments.close()
        await ledger.close()


def _row(payment_id: str = "pay_1", **changes: object) -> PaymentRow:
    fields: dict[str, object] = {
        "id": payment_id,
        "player_id": "p1",
        "kind": Kind.DEPOSIT,
        "amount_minor": 1_000,
        "currency": "EUR",
        "idempotency_key": "key-00001",
        "instrument_kind": "card",
        "instrument_token": "card_abc",
        "instrument_country": "MT",
        "state": State.INITIATED,
        "created_ms": 1_000,
        "updated_ms": 1_000,
    }
    fields.update(changes)
    return PaymentRow(**fields)  # type: ignore[arg-type]


async def test_a_payment_is_created_once_and_read_back_whole(store: PaymentStore) -> None:
    row = _row(parent_id="pay_0", next_poll_ms=5, settled_ms=None)
    assert await store.create(row)
    assert not await store.create(_row(amount_minor=2))
    assert await store.get("pay_1") == row
    assert await store.get("pay_missing") is None


async def test_of_two_racing_updates_from_one_state_one_applies(store: PaymentStore) -> None:
    await store.create(_row())
    sent = _row().moved(State.SENT, 2_000, provider="alpha", attempt=1)
    other = _row().moved(State.SENT, 2_000, provider="beta", attempt=1)
    results = await asyncio.gather(
        store.update(sent, state=State.INITIATED, attempt=0),
        store.update(other, state=State.INITIATED, attempt=0),
    )
    assert sorted(results) == [False, True]
    stored = await store.get("pay_1")
    assert stored is not None and stored.state is State.SENT and stored.attempt == 1
    assert not await store.update(sent, state=State.INITIATED, attempt=0)


async def test_attempts_are_recorded_once_in_order(store: PaymentStore) -> None:
    await store.create(_row())
    for n, provider in ((1, "alpha"), (2, "beta")):
        assert await store.add_attempt(AttemptRow("pay_1", n, provider, f"pay_1-a{n}", "sent", n))
    assert not await store.add_attempt(AttemptRow("pay_1", 1, "beta", "pay_1-a1", "sent", 9))
    await store.answer_attempt("pay_1", 1, "declined")
    attempts = await store.attempts("pay_1")
    assert [(a.provider, a.outcome) for a in attempts] == [("alpha", "declined"), ("beta", "sent")]


async def test_due_lists_open_payments_whose_look_up_is_due(store: PaymentStore) -> None:
    await store.create(_row("pay_a", state=State.UNKNOWN, next_poll_ms=100))
    await store.create(_row("pay_b", state=State.PENDING, next_poll_ms=50))
    await store.create(_row("pay_c", state=State.PENDING, next_poll_ms=500))
    await store.create(_row("pay_d", state=State.SETTLED, next_poll_ms=10))
    assert [p.id for p in await store.due(200, 10)] == ["pay_b", "pay_a"]
    assert [p.id for p in await store.due(200, 1)] == ["pay_b"]


async def test_the_closed_loop_finds_the_newest_settled_deposit(store: PaymentStore) -> None:
    await store.create(_row("pay_a", state=State.SETTLED, settled_ms=10, provider="alpha"))
    await store.create(_row("pay_b", state=State.SETTLED, settled_ms=20, provider="beta"))
    await store.create(_row("pay_c", state=State.FAILED, settled_ms=None, provider="gamma"))
    newest = await store.last_settled_deposit("p1", "EUR")
    assert newest is not None and newest.provider == "beta"
    assert await store.last_settled_deposit("p1", "GBP") is None
    assert [p.id for p in await store.settled_between(10, 20)] == ["pay_a"]
    assert [p.id for p in await store.in_state(State.FAILED, 5)] == ["pay_c"]


async def test_a_webhook_is_recorded_once(store: PaymentStore) -> None:
    assert not await store.webhook_seen("alpha", "evt_1")
    assert await store.add_webhook("alpha", "evt_1", "charge.succeeded", "pay_1-a1", "applied", 1)
    assert not await store.add_webhook("alpha", "evt_1", "charge.succeeded", "x", "applied", 2)
    assert await store.add_webhook("beta", "evt_1", "charge.succeeded", "x", "applied", 2)
    assert await store.webhook_seen("alpha", "evt_1")
