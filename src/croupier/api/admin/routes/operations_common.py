"""What the back-office operation routes share: the services, the reason every change gives,
the request id of a money-moving request, and the answers they document."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import Header, Request
from pydantic import BaseModel, ConfigDict, Field

from croupier.api.admin.auth import StaffPrincipal
from croupier.api.http.problems import PROBLEMS
from croupier.bootstrap import Platform
from croupier.domain.errors import Forbidden
from croupier.domain.ledger import Transfer
from croupier.domain.staff import Permission, allows
from croupier.services.audit import AuditEntry
from croupier.services.backoffice import Backoffice
from croupier.services.backoffice.staff_actor import REASON_CHARS_MAX

__all__ = [
    "ANSWERS",
    "RequestId",
    "WhyIn",
    "backoffice_of",
    "check_permission",
    "plain",
    "transfer_out",
]

#: The refusals every operation may answer (problem+json).
ANSWERS: dict[int | str, dict[str, Any]] = dict(PROBLEMS)

#: A money-moving request's client id: the same request again moves nothing more.
RequestId = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="8-64 characters of A-Z a-z 0-9 . _ : -; the same request again returns "
        "the first answer and moves nothing more, another body under it is 409",
    ),
]


class WhyIn(BaseModel):
    """Every change says why: it goes to the audit trail."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=REASON_CHARS_MAX, examples=["fraud review"])


def backoffice_of(request: Request) -> Backoffice:
    platform: Platform = request.app.state.platform
    if platform.backoffice is None:  # open_platform always sets it; a hand-made one may not
        raise RuntimeError("this platform has no back office")
    return platform.backoffice


async def check_permission(request: Request, staff: StaffPrincipal, permission: Permission) -> None:
    """A second permission a route needs for part of its answer (PII): refused and audited
    as ``require`` refuses."""
    if allows(staff.role, permission):
        return
    await request.app.state.platform.audit.record(
        AuditEntry(
            actor=staff.actor,
            action="admin.forbidden",
            subject=f"{request.method} {request.url.path}",
            source_ip=staff.source_ip,
            reason=f"role {staff.role} lacks {permission}",
        )
    )
    raise Forbidden(f"the {staff.role} role may not do this ({permission})")


def plain(record: object) -> dict[str, Any]:
    """A record (a frozen dataclass of strings, numbers, enums and sets) as JSON."""
    view: dict[str, Any] = asdict(record)  # type: ignore[call-overload]
    for name, value in view.items():
        if isinstance(value, frozenset | set):
            view[name] = sorted(value)
    return view


def transfer_out(transfer: Transfer) -> dict[str, Any]:
    """The ledger transfer an operation made (its id is the idempotency id)."""
    return {
        "transfer_id": transfer.id,
        "kind": transfer.kind.value,
        "debit_account_id": transfer.debit_account_id,
        "credit_account_id": transfer.credit_account_id,
        "amount_minor": transfer.amount_minor,
        "currency": transfer.currency,
        "reason": transfer.reason,
        "timestamp_ms": transfer.timestamp_ms,
    }
