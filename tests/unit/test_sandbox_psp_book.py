"""The sandbox PSP's book never moves money twice under one reference, whatever is asked."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from croupier.sandbox_psp.book import Book, Conflict, Operation, Order, Status

DAY = dt.date(2026, 3, 1)
NOON_MS = int(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC).timestamp() * 1000)

orders = st.builds(
    Order,
    operation=st.sampled_from([Operation.CHARGE, Operation.PAYOUT]),
    reference=st.sampled_from(["a", "b", "c"]),
    amount_minor=st.sampled_from([100, 200]),
    currency=st.just("EUR"),
)


def book() -> Book:
    ticks = itertools.count(NOON_MS)
    return Book(flavour="alpha", clock_ms=lambda: next(ticks))


@given(st.lists(st.tuples(orders, st.sampled_from(list(Status))), max_size=30))
def test_a_reference_moves_money_once_and_conflicts_otherwise(
    asks: list[tuple[Order, Status]],
) -> None:
    ledger = book()
    first: dict[str, Order] = {}
    for order, status in asks:
        try:
            known = ledger.check_repeat(order)
        except Conflict:
            assert first[order.reference] != order
            continue
        if known is None:
            ledger.receive(order, status)
            first[order.reference] = order
        else:
            assert known.order == order
    lines = ledger.settlement(DAY)
    assert len({line.reference for line in lines}) == len(lines)
    for line in lines:
        assert line.amount_minor == first[line.reference].amount_minor


def test_settling_twice_is_a_no_op() -> None:
    ledger = book()
    order = Order(Operation.CHARGE, "c-1", 100, "EUR")
    ledger.receive(order, Status.PENDING)
    assert ledger.settle("c-1", Status.APPROVED) is not None
    assert ledger.settle("c-1", Status.DECLINED) is None
    assert ledger.payments["c-1"].status is Status.APPROVED


def test_refunds_and_chargebacks_never_exceed_the_charge() -> None:
    ledger = book()
    ledger.receive(Order(Operation.CHARGE, "c-1", 1_000, "EUR"), Status.APPROVED)
    ledger.adjust("chargeback", "c-1", 600)
    refund, _ = ledger.receive(
        Order(Operation.REFUND, "r-1", 500, "EUR", charge_reference="c-1"), Status.APPROVED
    )
    assert (refund.status, refund.reason) == (Status.DECLINED, "more than the charge has left")
    with pytest.raises(ValueError, match="left"):
        ledger.adjust("refund", "c-1", 401)
    ledger.adjust("refund", "c-1", None)
    assert Book.refundable_minor(ledger.payments["c-1"]) == 0
