"""Reconciliation: the ledger's payment movements against the providers' settlement reports.

Pure: lines in, four buckets out, each line in exactly one of them.

The comparison rules:

1. Lines meet on their key: (provider, our reference, kind), kind being ``charge``,
   ``payout``, ``refund`` or ``chargeback``. Amounts are compared as they are (positive minor
   units; the kind says which way the money went).
2. Within one key (a charge refunded twice shares its reference and kind), lines with the
   same amount and currency pair up first, as **matches**.
3. What is left of a key pairs up in order of (currency, amount, provider id) as
   **mismatches**: the same payment with another amount or currency on each side.
4. What is left after that is **only in the ledger** or **only at the provider**.
5. Every bucket comes sorted by (provider, reference, kind, currency, amount, provider id),
   so the same two sides always give the same report, in whatever order the lines came.

>>> charge = LedgerPaymentLine("p-1", "charge", 1_000, "EUR", "alpha")
>>> settled = _Line("p-1", "ch_1", "charge", 1_000, "EUR", 0)
>>> result = reconcile([charge], {"alpha": [settled]})
>>> (len(result.matches), result.balanced)
(1, True)
>>> reconcile([charge], {"alpha": [_Line("p-1", "ch_1", "charge", 900, "EUR", 0)]}).mismatches[0]
Mismatch(provider='alpha', ledger=LedgerPaymentLine(reference='p-1', kind='charge', \
amount_minor=1000, currency='EUR', provider='alpha'), reported=_Line(reference='p-1', \
provider_ref='ch_1', kind='charge', amount_minor=900, currency='EUR', settled_at_ms=0))
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "LedgerPaymentLine",
    "Match",
    "Mismatch",
    "ProviderOnly",
    "Reconciliation",
    "SettledLine",
    "reconcile",
]


@dataclass(frozen=True, slots=True)
class LedgerPaymentLine:
    """One payment movement as the ledger holds it."""

    reference: str
    kind: str  # "charge", "payout", "refund", "chargeback"
    amount_minor: int
    currency: str
    provider: str


class SettledLine(Protocol):
    """A line of a provider's settlement report (``services.payments.ports.SettlementLine``
    has this shape; the domain names it without importing the services)."""

    @property
    def reference(self) -> str: ...
    @property
    def provider_ref(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def amount_minor(self) -> int: ...
    @property
    def currency(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Match:
    provider: str
    ledger: LedgerPaymentLine
    reported: SettledLine


@dataclass(frozen=True, slots=True)
class Mismatch:
    """The same payment with another amount or currency on each side."""

    provider: str
    ledger: LedgerPaymentLine
    reported: SettledLine

    @property
    def difference_minor(self) -> int | None:
        """What the provider holds more than the ledger (None across currencies)."""
        if self.reported.currency != self.ledger.currency:
            return None
        return self.reported.amount_minor - self.ledger.amount_minor


@dataclass(frozen=True, slots=True)
class ProviderOnly:
    provider: str
    reported: SettledLine


@dataclass(frozen=True, slots=True)
class Reconciliation:
    matches: tuple[Match, ...]
    mismatches: tuple[Mismatch, ...]
    only_in_ledger: tuple[LedgerPaymentLine, ...]
    only_at_provider: tuple[ProviderOnly, ...]

    @property
    def balanced(self) -> bool:
        """Whether both sides agree line for line (nothing for the back office)."""
        return not (self.mismatches or self.only_in_ledger or self.only_at_provider)


_Key = tuple[str, str, str]


def _ledger_order(line: LedgerPaymentLine) -> tuple[str, int]:
    return (line.currency, line.amount_minor)


def _reported_order(line: SettledLine) -> tuple[str, int, str]:
    return (line.currency, line.amount_minor, line.provider_ref)


def reconcile(
    ledger: Iterable[LedgerPaymentLine],
    reports: Mapping[str, Sequence[SettledLine]],
) -> Reconciliation:
    """Compare ``ledger`` with ``reports`` (provider name → its settlement lines) by the
    rules in the module's docstring."""
    ledger_by_key: dict[_Key, list[LedgerPaymentLine]] = defaultdict(list)
    for line in ledger:
        ledger_by_key[(line.provider, line.reference, line.kind)].append(line)
    reported_by_key: dict[_Key, list[SettledLine]] = defaultdict(list)
    for provider, lines in reports.items():
        for reported in lines:
            reported_by_key[(provider, reported.reference, reported.kind)].append(reported)

    matches: list[Match] = []
    mismatches: list[Mismatch] = []
    only_in_ledger: list[LedgerPaymentLine] = []
    only_at_provider: list[ProviderOnly] = []
    for key in sorted(ledger_by_key.keys() | reported_by_key.keys()):
        provider = key[0]
        ours = sorted(ledger_by_key.get(key, []), key=_ledger_order)
        theirs = sorted(reported_by_key.get(key, []), key=_reported_order)
        # Rule 2: equal amounts first.
        unpaired: list[SettledLine] = []
        for reported in theirs:
            twin = next(
                (
                    line
                    for line in ours
                    if (line.amount_minor, line.currency)
                    == (reported.amount_minor, reported.currency)
                ),
                None,
            )
            if twin is None:
                unpaired.append(reported)
            else:
                ours.remove(twin)
                matches.append(Match(provider, twin, reported))
        # Rule 3, then rule 4.
        for line, reported in zip(ours, unpaired, strict=False):
            mismatches.append(Mismatch(provider, line, reported))
        paired = min(len(ours), len(unpaired))
        only_in_ledger.extend(ours[paired:])
        only_at_provider.extend(ProviderOnly(provider, reported) for reported in unpaired[paired:])

    return Reconciliation(
        matches=tuple(matches),
        mismatches=tuple(mismatches),
        only_in_ledger=tuple(only_in_ledger),
        only_at_provider=tuple(only_at_provider),
    )


@dataclass(frozen=True, slots=True)
class _Line:
    """A settlement line for the doctests."""

    reference: str
    provider_ref: str
    kind: str
    amount_minor: int
    currency: str
    settled_at_ms: int
