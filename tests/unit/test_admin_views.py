"""The admin API's reading rules without a server: which format a report answers in, where
a listing of the audit trail ends although reading it appends, and the periods' defaults."""

from __future__ import annotations

import doctest
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from croupier.api.admin.routes import audit as audit_routes
from croupier.api.admin.routes import reports as report_routes
from croupier.domain.errors import InvalidReport
from croupier.services.audit import AuditEntry, AuditLog, AuditQuery, MemoryAuditStore, render
from croupier.services.reports import PERIOD_DAYS_DEFAULT, Period, today_utc
from croupier.services.reports import service as report_service


def test_the_modules_examples_hold() -> None:
    for module in (report_routes, audit_routes, render, report_service):
        assert doctest.testmod(module).failed == 0


@pytest.mark.parametrize(
    ("asked", "accept", "csv"),
    [
        ("csv", None, True),
        ("json", "text/csv", False),  # the query parameter wins
        (None, "text/csv", True),
        (None, "text/csv; charset=utf-8", True),
        (None, "TEXT/CSV;q=0.9, application/json;q=0.8", True),
        (None, "application/json, text/csv", False),  # equal ranks: JSON
        (None, "text/csv;q=0.5, */*", False),
        (None, "text/csv;q=nonsense", False),  # an unreadable rank counts as 0
        (None, "text/html", False),
        (None, "", False),
        (None, None, False),
    ],
)
def test_a_report_answers_csv_when_asked(asked: str | None, accept: str | None, csv: bool) -> None:
    assert report_routes.wants_csv(asked, accept) is csv


def test_a_period_defaults_to_the_thirty_days_ending_today() -> None:
    period = Period.of()
    assert period.end in (today_utc(), today_utc() - timedelta(days=1))  # midnight passing
    assert (period.end - period.start).days + 1 == PERIOD_DAYS_DEFAULT
    assert Period.of(start=date(2030, 1, 5), end=date(2030, 1, 5)).start == date(2030, 1, 5)
    with pytest.raises(InvalidReport, match="before it starts"):
        Period.of(start=date(2030, 2, 1), end=date(2030, 1, 1))
    with pytest.raises(InvalidReport, match="at most 366 days"):
        Period.of(start=date(2030, 1, 1), end=date(2031, 1, 2))


def test_times_without_a_zone_are_utc() -> None:
    naive, aware = datetime(2026, 12, 1, 12), datetime(2026, 12, 1, 13, tzinfo=UTC)
    assert render.epoch_ms(aware) - render.epoch_ms(naive) == 3_600_000
    assert render.time_of(render.epoch_ms(aware)) == aware


async def _trail(records: int) -> AuditLog:
    log = AuditLog(MemoryAuditStore())
    for i in range(records):
        action = "report.viewed" if i % 3 else "staff.login"
        await log.record(AuditEntry(actor=f"staff:{i % 2}", action=action))
    return log


@given(
    records=st.integers(min_value=0, max_value=30),
    limit=st.integers(min_value=1, max_value=7),
    prefix=st.sampled_from([None, "report.", "staff.", "audit."]),
)
async def test_paging_lists_each_record_once_and_ends_though_reads_append(
    records: int, limit: int, prefix: str | None
) -> None:
    """As the route pages: each read appends its own record first, then lists up to the
    bound the first read set. Every matching record up to it comes exactly once, none after
    it, and the paging ends, whatever the page size (even 1, with no filter)."""
    log = await _trail(records)
    bound: int | None = None
    after_seq, listed, reads = 0, [], 0
    while True:
        viewed = await log.append(AuditEntry(actor="staff:9", action="audit.viewed"))
        reads += 1
        assert reads <= records + 2, "paging does not end"
        bound = viewed.seq - 1 if bound is None else bound
        page = await log.query(AuditQuery(action_prefix=prefix, after_seq=after_seq, limit=limit))
        kept, next_after = audit_routes.within(page.records, through_seq=bound, limit=limit)
        listed += kept
        if next_after is None:
            break
        after_seq = next_after
    everything = (await log.query(AuditQuery(action_prefix=prefix, limit=1000))).records
    assert [r.seq for r in listed] == [r.seq for r in everything if r.seq <= records]


@pytest.mark.parametrize(
    ("after_seq", "through_seq", "listed", "next_after"),
    [
        (0, 5, [1, 2], 2),  # full and below the bound: more
        (0, 2, [1, 2], None),  # full, reaching the bound: done
        (0, 1, [1], None),  # past the bound: trimmed, done
        (4, 9, [5], None),  # short: nothing more matched
        (5, 9, [], None),
    ],
)
async def test_a_page_ends_the_listing_when_short_trimmed_or_at_the_bound(
    after_seq: int, through_seq: int, listed: list[int], next_after: int | None
) -> None:
    log = await _trail(5)
    page = await log.query(AuditQuery(after_seq=after_seq, limit=2))
    kept, following = audit_routes.within(page.records, through_seq=through_seq, limit=2)
    assert ([r.seq for r in kept], following) == (listed, next_after)
