"""The reconciliation queue (migration 0022) on both backends: one contract. Opening is
idempotent on (day, provider, reference, kind); an item is resolved once, with a note."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from croupier.adapters.storage.payments_store import make_payment_store
from croupier.bootstrap import make_store
from croupier.services.payments.reconciliation_items import ReconciliationItem
from croupier.services.payments.store import PaymentStore

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


def _item(
    reference: str, problem: str = "amount-mismatch", **changes: object
) -> ReconciliationItem:
    fields: dict[str, object] = {
        "day": "2026-12-06",
        "provider": "alpha",
        "reference": reference,
        "kind": "charge",
        "ledger_minor": 1_000 if problem != "only-at-provider" else None,
        "provider_minor": 900 if problem != "only-in-ledger" else None,
        "currency": "EUR",
        "problem": problem,
        "opened_ms": 5_000,
    }
    fields.update(changes)
    return ReconciliationItem(**fields)  # type: ignore[arg-type]


async def test_items_open_once_per_day_provider_reference_and_kind(store: PaymentStore) -> None:
    items = [
        _item("pay_1-a1"),
        _item("pay_2-a1", "only-in-ledger"),
        _item("pay_3-a1", "only-at-provider"),
    ]
    assert await store.open_items(items) == 3
    again = [*items, _item("pay_1-a1", kind="refund"), _item("pay_1-a1", day="2026-12-07")]
    assert await store.open_items(again) == 2  # only the new keys open
    assert await store.open_items([]) == 0
    opened = await store.reconciliation_items(resolved=False, limit=10)
    assert [(i.reference, i.kind, i.day) for i in opened] == [
        ("pay_1-a1", "charge", "2026-12-06"),
        ("pay_2-a1", "charge", "2026-12-06"),
        ("pay_3-a1", "charge", "2026-12-06"),
        ("pay_1-a1", "refund", "2026-12-06"),
        ("pay_1-a1", "charge", "2026-12-07"),
    ]
    first = opened[0]
    assert first == _item("pay_1-a1", id=first.id)  # read back whole
    assert opened[2].ledger_minor is None and opened[1].provider_minor is None


async def test_the_queue_pages_by_id(store: PaymentStore) -> None:
    await store.open_items([_item(f"pay_{n}-a1") for n in range(5)])
    page = await store.reconciliation_items(resolved=False, limit=2)
    rest = await store.reconciliation_items(resolved=False, limit=10, after=page[-1].id)
    assert [i.reference for i in page + rest] == [f"pay_{n}-a1" for n in range(5)]


async def test_an_item_is_resolved_once_and_leaves_the_open_queue(store: PaymentStore) -> None:
    await store.open_items([_item("pay_1-a1"), _item("pay_2-a1")])
    first, second = await store.reconciliation_items(resolved=False, limit=10)
    assert await store.resolve_item(first.id, staff_id="s1", note="fee", now_ms=9_000)
    assert not await store.resolve_item(first.id, staff_id="s2", note="again", now_ms=9_500)
    assert not await store.resolve_item(10_000, staff_id="s1", note="none", now_ms=9_000)
    resolved = await store.reconciliation_item(first.id)
    assert resolved is not None and resolved.resolved
    assert (resolved.resolved_ms, resolved.resolved_by, resolved.note) == (9_000, "s1", "fee")
    assert [i.id for i in await store.reconciliation_items(resolved=False, limit=10)] == [second.id]
    assert [i.id for i in await store.reconciliation_items(resolved=True, limit=10)] == [first.id]
    assert await store.reconciliation_item(10_000) is None
    # a resolved item is not opened again by a later run
    assert await store.open_items([_item("pay_1-a1")]) == 0
