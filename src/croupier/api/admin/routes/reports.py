"""The back office's reports (``report.view``): GGR/NGR, observed RTP, player liabilities.

The same :class:`~croupier.services.reports.ReportService` as ``croupier report``, as JSON
(an object with the period and the rows) or as CSV (``?format=csv`` or ``Accept: text/csv``),
a download named after the report and its period. Every report shown is audited
(``report.viewed``, with the report, the period and the number of rows).

A liabilities report whose two computations disagree still answers 200: the figures are what
the operator needs to find the cause, and the report did its job in finding it. The answer
says so (``"matches_ledger": false``, the currencies, and a ``Croupier-Liabilities-Match:
false`` header on JSON and CSV alike), the trail gets ``report.liabilities.mismatch``, and
the server's log an error line.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from croupier.api.admin.auth import StaffPrincipal, require
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routing import api_router
from croupier.bootstrap import Platform
from croupier.domain.staff import Permission
from croupier.services.audit import AuditEntry
from croupier.services.reports import (
    GgrRow,
    LiabilityRow,
    Period,
    ReportRow,
    ReportService,
    RtpRow,
    as_dict,
    mismatch_text,
    to_csv,
    today_utc,
)

__all__ = ["CSV_MEDIA_TYPE", "router", "wants_csv"]

router = api_router(prefix="/admin/v1/reports", tags=["reports"])
_log = logging.getLogger("croupier.reports")

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
#: Header a script can test without parsing the body.
MATCH_HEADER = "Croupier-Liabilities-Match"
#: Mismatched currencies whose figures go into the audit record (16 KiB at most).
_MISMATCH_ROWS_RECORDED = 20

Viewer = Annotated[StaffPrincipal, Depends(require(Permission.REPORT_VIEW))]
FirstDay = Annotated[
    date | None,
    Query(alias="from", description="First UTC day, YYYY-MM-DD (default: 29 days before `to`)"),
]
LastDay = Annotated[
    date | None, Query(alias="to", description="Last UTC day, included (default: today, UTC)")
]
# The game's id goes into the CSV's file name: only the characters a game id may have.
GameFilter = Annotated[
    str | None,
    Query(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="One game id (default: every game)"),
]
Format = Annotated[
    Literal["json", "csv"] | None,
    Query(alias="format", description="json (default) or csv; else the Accept header decides"),
]

_ANSWERS: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    200: {
        "description": "The report: JSON (`rows`, one object per row) or CSV with a header line",
        "content": {"application/json": {}, "text/csv": {}},
    },
}


def wants_csv(format_asked: str | None, accept: str | None) -> bool:
    """CSV when ``?format=csv``, or without ``format`` when the Accept header ranks
    ``text/csv`` above JSON (equal ranks: JSON).

    >>> wants_csv(None, "text/csv"), wants_csv(None, "application/json, text/csv;q=0.5")
    (True, False)
    >>> wants_csv("json", "text/csv"), wants_csv(None, None)
    (False, False)
    """
    if format_asked is not None:
        return format_asked == "csv"
    ranks = {"csv": 0.0, "json": 0.0}
    for item in (accept or "").split(","):
        media, *options = (part.strip().lower() for part in item.split(";"))
        quality = 1.0
        for option in options:
            name, _, value = option.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media == "text/csv":
            ranks["csv"] = max(ranks["csv"], quality)
        elif media in ("application/json", "application/*", "*/*"):
            ranks["json"] = max(ranks["json"], quality)
    return ranks["csv"] > ranks["json"]


def _reports(request: Request) -> ReportService:
    platform: Platform = request.app.state.platform
    if platform.reports is None:  # open_platform always sets it; a hand-made Platform may not
        raise RuntimeError("this platform has no report service")
    return platform.reports


async def _viewed(
    request: Request, staff: StaffPrincipal, report: str, after: dict[str, Any]
) -> None:
    """``report.viewed`` in the trail; raises if it cannot be stored, so no report is shown
    unaudited."""
    await request.app.state.platform.audit.record(
        AuditEntry(
            actor=staff.actor,
            action="report.viewed",
            subject=f"report:{report}",
            source_ip=staff.source_ip,
            after={"report": report, **after},
        )
    )


def _csv(
    rows: Sequence[ReportRow], row_type: type[ReportRow], name: str, headers: dict[str, str]
) -> Response:
    disposition = f'attachment; filename="{name}.csv"'
    return Response(
        to_csv(rows, row_type),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": disposition, **headers},
    )


async def _period_report(
    request: Request,
    staff: StaffPrincipal,
    report: Literal["ggr", "rtp"],
    period: Period,
    game: str | None,
    csv: bool,
) -> Response:
    service = _reports(request)
    row_type: type[ReportRow]
    if report == "ggr":
        rows: Sequence[ReportRow] = await service.ggr(period.start, period.end, game)
        row_type = GgrRow
    else:
        rows = await service.rtp(period.start, period.end, game)
        row_type = RtpRow
    first, last = period.start.isoformat(), period.end.isoformat()
    shown = {"from": first, "to": last, "game": game, "format": "csv" if csv else "json"}
    await _viewed(request, staff, report, {**shown, "rows": len(rows)})
    if csv:
        name = "-".join(part for part in ("croupier", report, game, first, last) if part)
        return _csv(rows, row_type, name, {})
    body = {"report": report, "from": first, "to": last, "game": game}
    return JSONResponse({**body, "rows": [as_dict(row) for row in rows]})


@router.get("/ggr", response_class=Response, responses=_ANSWERS)
async def ggr(
    request: Request,
    staff: Viewer,
    first: FirstDay = None,
    last: LastDay = None,
    game: GameFilter = None,
    format_asked: Format = None,
) -> Response:
    """GGR and NGR by UTC day and game, per currency, with bets, wins and round counts
    (docs/backoffice.md, Reports, defines every column)."""
    period = Period.of(first, last)  # 422 invalid-report before anything is read
    csv = wants_csv(format_asked, request.headers.get("accept"))
    return await _period_report(request, staff, "ggr", period, game, csv)


@router.get("/rtp", response_class=Response, responses=_ANSWERS)
async def rtp(
    request: Request,
    staff: Viewer,
    first: FirstDay = None,
    last: LastDay = None,
    game: GameFilter = None,
    format_asked: Format = None,
) -> Response:
    """Observed RTP against theoretical per game and currency, ``flagged`` when outside the
    99.9 % interval for the volume played."""
    period = Period.of(first, last)
    csv = wants_csv(format_asked, request.headers.get("accept"))
    return await _period_report(request, staff, "rtp", period, game, csv)


@router.get("/liabilities", response_class=Response, responses=_ANSWERS)
async def liabilities(request: Request, staff: Viewer, format_asked: Format = None) -> Response:
    """What the casino owes its players per currency, from the accounts' balances and from
    the transfers, which must agree (``matches_ledger``)."""
    csv = wants_csv(format_asked, request.headers.get("accept"))
    rows = await _reports(request).liabilities()
    broken = [row for row in rows if not row.matches]
    as_of = rows[0].as_of_batch if rows else None
    shown = {"format": "csv" if csv else "json", "rows": len(rows), "as_of_batch": as_of}
    await _viewed(request, staff, "liabilities", {**shown, "matches_ledger": not broken})
    if broken:
        await _mismatch(request, staff, broken)
    headers = {MATCH_HEADER: "false" if broken else "true"}
    if csv:
        return _csv(rows, LiabilityRow, f"croupier-liabilities-{today_utc().isoformat()}", headers)
    body = {
        "report": "liabilities",
        "matches_ledger": not broken,
        "mismatched_currencies": [row.currency for row in broken],
        "as_of_batch": as_of,
        "rows": [as_dict(row) for row in rows],
    }
    return JSONResponse(body, headers=headers)


async def _mismatch(request: Request, staff: StaffPrincipal, broken: list[LiabilityRow]) -> None:
    """The balances and the transfers disagree: the database was changed outside the ledger,
    or the writer is broken. Said in the log and recorded, whoever happened to look."""
    for row in broken:
        _log.error("%s (seen by %s)", mismatch_text(row), staff.actor)
    await request.app.state.platform.audit.record(
        AuditEntry(
            actor=staff.actor,
            action="report.liabilities.mismatch",
            subject="report:liabilities",
            source_ip=staff.source_ip,
            reason="balances and transfers disagree; run `croupier ledger verify`",
            after={
                "currencies": [row.currency for row in broken],
                # Bounded, as every audit field is: the first few currencies' figures.
                "rows": [as_dict(row) for row in broken[:_MISMATCH_ROWS_RECORDED]],
            },
        )
    )
