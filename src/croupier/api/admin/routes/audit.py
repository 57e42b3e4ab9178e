"""The audit trail on the admin API (``audit.view``): query it with filters, page by seq, and
verify its chain. Reading the trail is itself recorded (``audit.viewed``,
``audit.verified``).

**Paging stays stable although reading appends.** Records are only ever appended, with the
next seq, so a page (``seq > after_seq``, in seq order) never shifts under a client: new
records, this reader's own ``audit.viewed`` among them, land after everything already
listed. A listing is also bounded: its first page is the trail *as it stood when asked* —
every record up to ``through_seq``, the seq just before that request's own ``audit.viewed``
(appends are serialised and commit in seq order, so every record up to it exists) — and each
``next`` link carries that bound. Without it, a client paging with ``limit=1`` would never
reach the end: each page it read would add one more record to read.
"""

from __future__ import annotations

import logging
import re
import urllib.parse
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import BaseModel, Field

from croupier.api.admin.auth import StaffPrincipal, require
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.domain.audit import AuditRecord, ChainReport
from croupier.domain.errors import InvalidInput
from croupier.domain.staff import Permission
from croupier.services.audit import (
    QUERY_LIMIT_MAX,
    AuditEntry,
    AuditLog,
    AuditQuery,
    record_as_json,
)
from croupier.services.audit.render import epoch_ms

__all__ = ["AUDIT_PATH", "router", "within"]

router = api_router(prefix="/admin/v1/audit", tags=["audit"])
_log = logging.getLogger("croupier.security")

AUDIT_PATH = "/admin/v1/audit"
_SEQ_MAX = 2**63 - 1
_ANCHOR = re.compile(r"^(\d{1,19}):([0-9a-f]{64})$")

Auditor = Annotated[StaffPrincipal, Depends(require(Permission.AUDIT_VIEW))]
Text = Annotated[str | None, Query(min_length=1, max_length=200)]
_ANSWERS: dict[int | str, dict[str, Any]] = dict(PROBLEMS)


class AuditRecordOut(BaseModel):
    seq: int
    at: str = Field(examples=["2026-12-06T23:24:02.078+00:00"], description="UTC, ISO 8601")
    at_ms: int = Field(description="UTC milliseconds since the epoch")
    actor: str = Field(examples=["staff:5f0c…"])
    action: str = Field(examples=["report.viewed"])
    subject: str | None
    source_ip: str | None
    reason: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    prev_hash: str
    hash: str


class AuditPageOut(BaseModel):
    items: list[AuditRecordOut]
    through_seq: int = Field(description="The listing's bound: records after it are not listed")
    next_after_seq: int | None = Field(description="after_seq of the next page (null: the last)")
    next: str | None = Field(description="The next page's path and query (null: the last)")


class ChainReportOut(BaseModel):
    ok: bool
    records: int = Field(description="Records checked")
    head_seq: int
    head_hash: str
    broken_seq: int | None = Field(description="The first broken record (null: intact)")
    problem: str | None

    @classmethod
    def of(cls, report: ChainReport) -> ChainReportOut:
        return cls(
            ok=report.ok,
            records=report.records,
            head_seq=report.head_seq,
            head_hash=report.head_hash,
            broken_seq=report.broken_seq,
            problem=report.problem,
        )


def within(
    records: tuple[AuditRecord, ...], *, through_seq: int, limit: int
) -> tuple[list[AuditRecord], int | None]:
    """The records of a page up to ``through_seq``, and the next page's ``after_seq``: none
    when the page was not full (nothing more matched) or reached the bound."""
    kept = [record for record in records if record.seq <= through_seq]
    full = len(records) == limit and len(kept) == limit
    more = full and kept[-1].seq < through_seq
    return kept, (kept[-1].seq if more else None)


def _trail(request: Request) -> AuditLog:
    audit: AuditLog = request.app.state.platform.audit
    return audit


@router.get("", responses=_ANSWERS)
async def query_audit(
    request: Request,
    staff: Auditor,
    actor: Text = None,
    action: Annotated[
        str | None, Query(min_length=1, max_length=200, description="An action or its prefix")
    ] = None,
    subject: Text = None,
    since: Annotated[datetime | None, Query(description="ISO 8601, inclusive (UTC)")] = None,
    until: Annotated[datetime | None, Query(description="ISO 8601, exclusive (UTC)")] = None,
    after_seq: Annotated[int, Query(ge=0, le=_SEQ_MAX)] = 0,
    through_seq: Annotated[
        int | None, Query(ge=0, le=_SEQ_MAX, description="The bound a `next` link carries")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=QUERY_LIMIT_MAX)] = 100,
) -> AuditPageOut:
    """The records matching every filter, in seq order: ``actor`` and ``subject`` exactly,
    ``action`` as a prefix (``staff.``), ``since``/``until`` as times. Follow ``next`` for
    the next page."""
    wanted = AuditQuery(  # 422 before anything is recorded or read
        actor=actor,
        action_prefix=action,
        subject=subject,
        since_ms=None if since is None else epoch_ms(since),
        until_ms=None if until is None else epoch_ms(until),
        after_seq=after_seq,
        limit=limit,
    )
    filters = {"actor": actor, "action": action, "subject": subject}
    times = {
        "since": None if since is None else since.isoformat(),
        "until": None if until is None else until.isoformat(),
    }
    bounds = {"after_seq": after_seq, "through_seq": through_seq, "limit": limit}
    viewed = await _trail(request).append(
        AuditEntry(
            actor=staff.actor,
            action="audit.viewed",
            source_ip=staff.source_ip,
            after={**filters, **times, **bounds},
        )
    )
    bound = viewed.seq - 1 if through_seq is None else through_seq
    page = await _trail(request).query(wanted)
    records, next_after = within(page.records, through_seq=bound, limit=limit)
    link = None
    if next_after is not None:
        given = {**filters, **times, "after_seq": next_after, "through_seq": bound, "limit": limit}
        query = {name: value for name, value in given.items() if value is not None}
        link = f"{AUDIT_PATH}?{urllib.parse.urlencode(query)}"
    return AuditPageOut(
        items=[AuditRecordOut(**record_as_json(record)) for record in records],
        through_seq=bound,
        next_after_seq=next_after,
        next=link,
    )


@router.get("/verify", responses=_ANSWERS)
async def verify_audit(
    request: Request,
    staff: Auditor,
    expect: Annotated[
        str | None,
        Query(
            max_length=90,
            pattern=_ANCHOR.pattern,
            description="SEQ:HASH, a head kept outside the database (as `croupier audit "
            "verify --expect`)",
        ),
    ] = None,
) -> ChainReportOut:
    """Re-read the whole trail and check its hash chain: ``ok``, or the first broken record
    and why. A broken chain still answers 200: the report is the finding."""
    anchor = None
    if expect is not None:
        found = _ANCHOR.fullmatch(expect)
        if found is None:  # the Query pattern refused it already; said again, never assumed
            raise InvalidInput("expect takes SEQ:HASH (64 hex digits)")
        anchor = (int(found[1]), found[2])
    report = await _trail(request).verify(anchor)
    if not report.ok:
        _log.error("audit trail BROKEN (seen by %s): %s", staff.actor, report.problem)
    await _trail(request).record(
        AuditEntry(
            actor=staff.actor,
            action="audit.verified",
            source_ip=staff.source_ip,
            reason=report.problem,
            after={
                "ok": report.ok,
                "records": report.records,
                "head_seq": report.head_seq,
                "broken_seq": report.broken_seq,
                "expect": expect,
            },
        )
    )
    return ChainReportOut.of(report)
