"""Reconciliation's invariants: every line lands in exactly one bucket, identical sides are
all matches, the report does not depend on the order lines came in, and each bucket means
what it says."""

from __future__ import annotations

import doctest
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from croupier.domain.payments import reconciliation
from croupier.domain.payments.reconciliation import LedgerPaymentLine, Reconciliation, reconcile
from croupier.services.payments.ports import SettlementLine

PROVIDERS = ("alpha", "beta")
# Few references, kinds and amounts, so that keys collide and amounts coincide often.
references = st.sampled_from([f"p-{n}" for n in range(6)])
kinds = st.sampled_from(["charge", "payout", "refund", "chargeback"])
amounts = st.integers(1, 4).map(lambda n: n * 250)
currencies = st.sampled_from(["EUR", "USD"])

ledger_lines = st.builds(
    LedgerPaymentLine, references, kinds, amounts, currencies, st.sampled_from(PROVIDERS)
)
settlement_lines = st.builds(
    SettlementLine,
    references,
    st.integers(0, 10**6).map(lambda n: f"psp_{n}"),
    kinds,
    amounts,
    currencies,
    st.integers(0, 10**12),
)
reports = st.fixed_dictionaries({p: st.lists(settlement_lines, max_size=12) for p in PROVIDERS})


def ledger_side(result: Reconciliation) -> Counter[LedgerPaymentLine]:
    lines = [m.ledger for m in result.matches] + [m.ledger for m in result.mismatches]
    return Counter(lines + list(result.only_in_ledger))


def provider_side(result: Reconciliation) -> Counter[tuple[str, SettlementLine]]:
    pairs = [(m.provider, m.reported) for m in (*result.matches, *result.mismatches)]
    pairs += [(o.provider, o.reported) for o in result.only_at_provider]
    return Counter(pairs)  # type: ignore[arg-type]


@given(st.lists(ledger_lines, max_size=20), reports)
def test_every_line_lands_in_exactly_one_bucket(
    ledger: list[LedgerPaymentLine], report: dict[str, list[SettlementLine]]
) -> None:
    result = reconcile(ledger, report)
    assert ledger_side(result) == Counter(ledger)
    assert provider_side(result) == Counter(
        (p, line) for p, lines in report.items() for line in lines
    )


@given(st.lists(ledger_lines, max_size=20))
def test_identical_sides_are_all_matches(ledger: list[LedgerPaymentLine]) -> None:
    report: dict[str, list[SettlementLine]] = {p: [] for p in PROVIDERS}
    for index, line in enumerate(ledger):
        report[line.provider].append(
            SettlementLine(
                line.reference, f"psp_{index}", line.kind, line.amount_minor, line.currency, index
            )
        )
    result = reconcile(ledger, report)
    assert len(result.matches) == len(ledger) and result.balanced


@given(st.lists(ledger_lines, max_size=20), reports, st.randoms())
def test_the_report_does_not_depend_on_input_order(
    ledger: list[LedgerPaymentLine], report: dict[str, list[SettlementLine]], rng: object
) -> None:
    import random

    assert isinstance(rng, random.Random)
    shuffled_ledger = rng.sample(ledger, len(ledger))
    shuffled_report = {p: rng.sample(lines, len(lines)) for p, lines in reversed(report.items())}
    first, second = reconcile(ledger, report), reconcile(shuffled_ledger, shuffled_report)
    # Lines equal in every field but settled_at_ms may swap: compare what a reader sees.
    assert summary(first) == summary(second)


def summary(result: Reconciliation) -> tuple[object, ...]:
    def seen(line: SettlementLine) -> tuple[str, str, str, int, str]:
        return (line.reference, line.provider_ref, line.kind, line.amount_minor, line.currency)

    return (
        [(m.ledger, seen(m.reported)) for m in result.matches],  # type: ignore[arg-type]
        [(m.ledger, seen(m.reported)) for m in result.mismatches],  # type: ignore[arg-type]
        list(result.only_in_ledger),
        [(o.provider, seen(o.reported)) for o in result.only_at_provider],  # type: ignore[arg-type]
    )


@given(st.lists(ledger_lines, max_size=20), reports)
def test_each_bucket_means_what_it_says(
    ledger: list[LedgerPaymentLine], report: dict[str, list[SettlementLine]]
) -> None:
    result = reconcile(ledger, report)
    for pair in (*result.matches, *result.mismatches):
        key = (pair.provider, pair.reported.reference, pair.reported.kind)
        assert key == (pair.ledger.provider, pair.ledger.reference, pair.ledger.kind)
    for match in result.matches:
        assert (match.ledger.amount_minor, match.ledger.currency) == (
            match.reported.amount_minor,
            match.reported.currency,
        )
    for mismatch in result.mismatches:
        assert (mismatch.ledger.amount_minor, mismatch.ledger.currency) != (
            mismatch.reported.amount_minor,
            mismatch.reported.currency,
        )
    # Nothing left on one side could have been matched with something left on the other.
    left = {(line.provider, line.reference, line.kind) for line in result.only_in_ledger}
    assert not any(
        (o.provider, o.reported.reference, o.reported.kind) in left for o in result.only_at_provider
    )
    assert result.balanced == (
        not result.mismatches and not result.only_in_ledger and not result.only_at_provider
    )


def test_a_missing_amount_and_extra_lines_are_reported() -> None:
    ledger = [
        LedgerPaymentLine("p-1", "charge", 1_000, "EUR", "alpha"),
        LedgerPaymentLine("p-2", "charge", 500, "EUR", "alpha"),
        LedgerPaymentLine("p-3", "payout", 200, "EUR", "beta"),
    ]
    report = {
        "alpha": [
            SettlementLine("p-1", "a1", "charge", 1_000, "EUR", 1),
            SettlementLine("p-2", "a2", "charge", 450, "EUR", 2),
        ],
        "beta": [SettlementLine("p-4", "b1", "charge", 300, "EUR", 3)],
    }
    result = reconcile(ledger, report)
    assert [m.ledger.reference for m in result.matches] == ["p-1"]
    assert [(m.ledger.reference, m.difference_minor) for m in result.mismatches] == [("p-2", -50)]
    assert [line.reference for line in result.only_in_ledger] == ["p-3"]
    assert [(o.provider, o.reported.reference) for o in result.only_at_provider] == [
        ("beta", "p-4")
    ]
    assert not result.balanced


def test_the_doctests() -> None:
    assert doctest.testmod(reconciliation).failed == 0
