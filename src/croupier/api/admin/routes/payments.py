"""Payments for staff (permission ``payments``): the payments the poller gave up on (state
``review``: the money stays reserved until a late answer or staff settle them), refunds of a
settled deposit through the provider that charged it, and the reconciliation queue that
``croupier payments reconcile`` fills (docs/payments.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from croupier.api.admin.auth import StaffPrincipal, require
from croupier.api.admin.routes.operations_common import ANSWERS, RequestId, transfer_out
from croupier.api.http.routing import api_router
from croupier.bootstrap import Platform
from croupier.domain.errors import NotFound, StateConflict
from croupier.domain.payments.states import State
from croupier.domain.staff import Permission
from croupier.services.audit import AuditEntry
from croupier.services.backoffice.staff_actor import REASON_CHARS_MAX
from croupier.services.payments.reconciliation_items import ReconciliationItem
from croupier.services.payments.service import PaymentService
from croupier.services.payments.store import PaymentRow

__all__ = ["router"]

router = api_router(prefix="/admin/v1/payments", tags=["payments"])

Payments = Annotated[StaffPrincipal, Depends(require(Permission.PAYMENTS))]


class RefundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: StrictInt = Field(gt=0, description="Minor units, at most what is left to refund")
    reason: str = Field(min_length=1, max_length=REASON_CHARS_MAX)


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=REASON_CHARS_MAX)
    ] = Field(description="What was found and done: required, kept with the item and audited")


ItemId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _service(request: Request) -> PaymentService:
    platform: Platform = request.app.state.platform
    if platform.payments is None:
        raise NotFound("payments are not served here")
    return platform.payments.service


def _view(row: PaymentRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "player_id": row.player_id,
        "kind": row.kind.value,
        "state": row.state.value,
        "amount_minor": row.amount_minor,
        "currency": row.currency,
        "provider": row.provider,
        "attempt": row.attempt,
        "polls": row.polls,
        "flag": row.flag,
        "updated_ms": row.updated_ms,
    }


@router.get("/review", responses=ANSWERS)
async def review(
    request: Request, staff: Payments, limit: Annotated[int, Query(ge=1, le=1000)] = 50
) -> dict[str, Any]:
    """Payments whose outcome the look-ups could not learn, oldest first."""
    rows = await _service(request).store.in_state(State.REVIEW, limit)
    return {"items": [_view(row) for row in rows]}


def _item_view(item: ReconciliationItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "day": item.day,
        "provider": item.provider,
        "reference": item.reference,
        "kind": item.kind,
        "ledger_minor": item.ledger_minor,
        "provider_minor": item.provider_minor,
        "currency": item.currency,
        "problem": item.problem,
        "opened_ms": item.opened_ms,
        "resolved_ms": item.resolved_ms,
        "resolved_by": item.resolved_by,
        "note": item.note,
    }


# Declared before ``/{payment_id}``, which would otherwise take "reconciliation" as an id.
@router.get("/reconciliation", responses=ANSWERS)
async def reconciliation(
    request: Request,
    staff: Payments,
    state: Literal["open", "resolved"] = "open",
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: Annotated[
        int | None, Query(ge=0, le=2**63 - 1, description="The next page's cursor")
    ] = None,
) -> dict[str, Any]:
    """The reconciliation queue: mismatches and one-sided lines that ``croupier payments
    reconcile`` opened, oldest first; ``state=resolved`` lists the resolved ones."""
    items = await _service(request).store.reconciliation_items(
        resolved=state == "resolved", limit=limit, after=cursor
    )
    next_cursor = items[-1].id if len(items) == limit else None
    return {"items": [_item_view(item) for item in items], "next_cursor": next_cursor}


@router.post("/reconciliation/{item_id}/resolve", responses=ANSWERS)
async def resolve(
    request: Request, staff: Payments, item_id: ItemId, body: ResolveIn
) -> dict[str, Any]:
    """Resolve an open item with a note saying what was found and done (409 if it is
    resolved already). Moves no money: a correction goes through its own route. Audited."""
    service = _service(request)
    store = service.store
    if await store.reconciliation_item(item_id) is None:
        raise NotFound("no such reconciliation item")
    now_ms = service.clock_ms()
    if not await store.resolve_item(
        item_id, staff_id=staff.staff_id, note=body.note, now_ms=now_ms
    ):
        raise StateConflict("this reconciliation item is resolved already")
    resolved = await store.reconciliation_item(item_id)
    assert resolved is not None  # items are never deleted
    await request.app.state.platform.audit.record(
        AuditEntry(
            actor=staff.actor,
            action="payment.reconciliation-resolved",
            subject=f"reconciliation:{item_id}",
            source_ip=staff.source_ip,
            reason=body.note,
            after=_item_view(resolved),
        )
    )
    return _item_view(resolved)


@router.get("/{payment_id}", responses=ANSWERS)
async def payment(request: Request, staff: Payments, payment_id: str) -> dict[str, Any]:
    service = _service(request)
    row = await service.get(payment_id)
    if row is None:
        raise NotFound("no such payment")
    attempts = await service.store.attempts(payment_id)
    return {
        **_view(row),
        "attempts": [
            {"attempt": a.attempt, "provider": a.provider, "outcome": a.outcome, "at_ms": a.at_ms}
            for a in attempts
        ],
    }


@router.post("/{payment_id}/refunds", responses=ANSWERS)
async def refund(
    request: Request, staff: Payments, payment_id: str, body: RefundIn, key: RequestId
) -> dict[str, Any]:
    """Refund (part of) a settled deposit: reserved from the player's cash, sent to the
    provider that charged it, posted when it approves (``pending`` while its answer waits).
    Idempotent by the Idempotency-Key; refunds never exceed the deposit. Audited."""
    transfer = await _service(request).refund(payment_id, key, body.amount)
    await request.app.state.platform.audit.record(
        AuditEntry(
            actor=staff.actor,
            action="payment.refunded",
            subject=f"payment:{payment_id}",
            source_ip=staff.source_ip,
            reason=body.reason,
            after={"amount_minor": body.amount, "transfer_id": transfer.id},
        )
    )
    return transfer_out(transfer)
