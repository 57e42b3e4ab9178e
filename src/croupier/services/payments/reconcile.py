"""The ledger's side of reconciliation: each payment movement of a day as the ledger holds
it (the amount of its posted transfer, not the workflow row's), compared with every
provider's settlement report by ``domain/payments/reconciliation.py``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from croupier.domain.payments.reconciliation import (
    LedgerPaymentLine,
    Reconciliation,
    SettledLine,
    reconcile,
)
from croupier.domain.payments.states import Kind, State
from croupier.services.payments.ports import PaymentProvider
from croupier.services.payments.service import PaymentService

__all__ = ["ledger_lines", "reconcile_day", "report_items"]

_KIND = {Kind.DEPOSIT: "charge", Kind.WITHDRAWAL: "payout", Kind.REFUND: "refund"}
_DAY_MS = 86_400_000
#: A bound on the payments read for one day's reversals.
_REVERSED_MAX = 100_000


def day_bounds(day: dt.date) -> tuple[int, int]:
    start = int(dt.datetime.combine(day, dt.time(), dt.UTC).timestamp() * 1000)
    return start, start + _DAY_MS


async def ledger_lines(
    service: PaymentService, day: dt.date, providers: Sequence[str]
) -> list[LedgerPaymentLine]:
    """The day's settled payments and chargebacks at ``providers``, from the ledger."""
    start, end = day_bounds(day)
    ledger = service.book.ledger
    lines = []
    for row in await service.store.settled_between(start, end):
        if row.provider is None or row.provider not in providers:
            continue
        done = await ledger.transfer_by_id(service.book.ids(row).completed)
        if done is not None and start <= done.timestamp_ms < end:
            lines.append(
                LedgerPaymentLine(
                    row.reference, _KIND[row.kind], done.amount_minor, row.currency, row.provider
                )
            )
    for row in await service.store.in_state(State.REVERSED, _REVERSED_MAX):
        taken = await ledger.transfer_by_id(f"chargeback:{row.id}")
        if row.provider is None or row.provider not in providers:
            continue
        if taken is not None and start <= taken.timestamp_ms < end:
            lines.append(
                LedgerPaymentLine(
                    row.reference, "chargeback", taken.amount_minor, row.currency, row.provider
                )
            )
    return lines


async def reconcile_day(
    service: PaymentService, day: dt.date, providers: Sequence[PaymentProvider]
) -> Reconciliation:
    reports: dict[str, Sequence[SettledLine]] = {
        p.profile.name: await p.settlement_report(day) for p in providers
    }
    ours = await ledger_lines(service, day, [p.profile.name for p in providers])
    return reconcile(ours, reports)


def report_items(day: dt.date, result: Reconciliation) -> list[str]:
    """One JSON line per mismatch and one-sided line, as `croupier payments reconcile` prints
    them (the back office's queue holds them as ``ReconciliationItem`` rows)."""
    items = []
    for mismatch in result.mismatches:
        items.append(
            {
                "type": "amount-mismatch",
                "provider": mismatch.provider,
                "reference": mismatch.ledger.reference,
                "kind": mismatch.ledger.kind,
                "ledger_minor": mismatch.ledger.amount_minor,
                "provider_minor": mismatch.reported.amount_minor,
                "currency": mismatch.ledger.currency,
            }
        )
    for line in result.only_in_ledger:
        items.append(
            {
                "type": "only-in-ledger",
                "provider": line.provider,
                "reference": line.reference,
                "kind": line.kind,
                "ledger_minor": line.amount_minor,
                "currency": line.currency,
            }
        )
    for only in result.only_at_provider:
        items.append(
            {
                "type": "only-at-provider",
                "provider": only.provider,
                "reference": only.reported.reference,
                "kind": only.reported.kind,
                "provider_minor": only.reported.amount_minor,
                "currency": only.reported.currency,
                "provider_ref": only.reported.provider_ref,
            }
        )
    return [json.dumps({"day": day.isoformat(), **item}, sort_keys=True) for item in items]
