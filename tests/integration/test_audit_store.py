"""The durable audit trail on both engines: appends chain with no gap even from many
appenders at once, queries filter and page, and the store refuses edits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from croupier.domain.errors import InvalidInput
from croupier.services.audit import AuditEntry, AuditLog, AuditQuery
from tests.support.audit import marks, migrated, open_audit, run_sql, tamper


async def test_appends_read_back_sealed_and_in_order(database_url: str) -> None:
    async with migrated(database_url), open_audit(database_url) as audit:
        first = await audit.append(
            AuditEntry(
                "staff:7",
                "player.frozen",
                subject="player:p1",
                source_ip="10.0.0.8",
                reason="chargeback ring",
                before={"status": "active"},
                after={"status": "frozen"},
            )
        )
        second = await audit.append(AuditEntry("player:p1", "player.login.failed"))
        page = await audit.query(AuditQuery())
        report = await audit.verify()

    assert (first.seq, second.seq, second.prev_hash) == (1, 2, first.hash)
    assert page.records == (first, second) and page.next_after_seq is None
    assert page.records[0].before == {"status": "active"}
    assert page.records[0].after == {"status": "frozen"}
    assert report.ok and (report.records, report.head_hash) == (2, second.hash)


async def test_many_appenders_at_once_keep_one_chain_with_no_gap(database_url: str) -> None:
    """Two stores (two server processes, or two gateways) and many tasks in each."""
    tasks_per_store, appends_per_task = 10, 5
    async with (
        migrated(database_url),
        open_audit(database_url) as one,
        open_audit(database_url) as other,
    ):

        async def appender(audit: AuditLog, task: int) -> None:
            for n in range(appends_per_task):
                await audit.record(AuditEntry(f"player:{task}", "player.login", reason=str(n)))

        await asyncio.gather(
            *(appender(audit, task) for audit in (one, other) for task in range(tasks_per_store))
        )
        records = (await one.query(AuditQuery(limit=1000))).records
        report = await other.verify()

    total = 2 * tasks_per_store * appends_per_task
    assert [r.seq for r in records] == list(range(1, total + 1))
    assert report.ok and report.records == total


async def test_queries_filter_by_actor_action_subject_and_time_and_page_by_seq(
    database_url: str,
) -> None:
    moments = iter(range(1_800_000_000_000, 1_800_000_000_000 + 10_000, 1000))
    clock = lambda: datetime.fromtimestamp(next(moments) / 1000, UTC)  # noqa: E731
    async with migrated(database_url), open_audit(database_url) as opened:
        audit = AuditLog(opened.store, clock=clock)
        for actor, action, subject in [
            ("staff:1", "staff.login", None),  # seq 1, at …000
            ("staff:1", "adjustment.requested", "player:a"),  # seq 2, at …1000
            ("staff:2", "adjustment.approved", "player:a"),  # seq 3, at …2000
            ("player:a", "player.login", "player:a"),  # seq 4, at …3000
            ("staff:2", "staff.login", None),  # seq 5, at …4000
            ("staff:2", "staffing.changed", None),  # seq 6: a prefix is a plain prefix
            ("staff:1", "Staff.login", None),  # seq 7: prefixes are case-sensitive
        ]:
            await audit.record(AuditEntry(actor, action, subject=subject))

        async def seqs(**filters: object) -> list[int]:
            page = await audit.query(AuditQuery(**filters))  # type: ignore[arg-type]
            return [r.seq for r in page.records]

        assert await seqs(actor="staff:2") == [3, 5, 6]
        assert await seqs(action_prefix="staff.") == [1, 5]
        assert await seqs(action_prefix="staff") == [1, 5, 6]
        assert await seqs(action_prefix="adjustment.appr") == [3]
        assert await seqs(action_prefix="100%_") == []  # no wildcard
        assert await seqs(subject="player:a") == [2, 3, 4]
        assert await seqs(since_ms=1_800_000_001_000, until_ms=1_800_000_003_000) == [2, 3]
        assert await seqs(actor="staff:1", subject="player:a") == [2]
        first = await audit.query(AuditQuery(actor="staff:2", limit=2))
        assert [r.seq for r in first.records] == [3, 5] and first.next_after_seq == 5
        rest = await audit.query(AuditQuery(actor="staff:2", limit=2, after_seq=5))
        assert [r.seq for r in rest.records] == [6] and rest.next_after_seq is None


@pytest.mark.parametrize(
    "filters",
    [{"limit": 0}, {"limit": 1001}, {"after_seq": -1}, {"since_ms": 5, "until_ms": 4}],
)
def test_a_query_out_of_bounds_is_refused(filters: dict[str, int]) -> None:
    with pytest.raises(InvalidInput):
        AuditQuery(**filters)


async def test_an_entry_out_of_bounds_is_refused_and_stores_nothing(database_url: str) -> None:
    async with migrated(database_url), open_audit(database_url) as audit:
        with pytest.raises(InvalidInput, match="reason"):
            await audit.record(AuditEntry("staff:1", "player.frozen", reason="r" * 1001))
        await audit.record(AuditEntry("staff:1", "player.frozen", reason="fine"))
        records = (await audit.query(AuditQuery())).records

    assert [r.seq for r in records] == [1]


async def test_the_database_refuses_to_edit_or_delete_a_record(database_url: str) -> None:
    async with migrated(database_url), open_audit(database_url) as audit:
        await audit.record(AuditEntry("staff:1", "staff.login"))
        mark = marks(database_url, 1)[0]
        for sql in (
            f"UPDATE audit_log SET actor = {mark} WHERE seq = 1",
            f"DELETE FROM audit_log WHERE seq = 1 AND actor <> {mark}",
        ):
            with pytest.raises(Exception, match="append-only"):
                await run_sql(database_url, sql, "staff:2")
        records = (await audit.query(AuditQuery())).records

    assert [(r.seq, r.actor) for r in records] == [(1, "staff:1")]


@pytest.mark.postgres
async def test_postgres_refuses_a_truncate(postgres_url: str) -> None:
    async with migrated(postgres_url), open_audit(postgres_url) as audit:
        await audit.record(AuditEntry("staff:1", "staff.login"))
        with pytest.raises(Exception, match="append-only"):
            await run_sql(postgres_url, "TRUNCATE audit_log")
        assert (await audit.verify()).records == 1


async def test_verify_names_the_record_edited_past_the_triggers(database_url: str) -> None:
    async with migrated(database_url), open_audit(database_url) as audit:
        for n in range(4):
            await audit.record(AuditEntry("staff:1", "limit.changed", after={"daily": n}))
        await tamper(database_url, "UPDATE audit_log SET after_json = '{}' WHERE seq = 3")
        report = await audit.verify()

    assert (report.ok, report.broken_seq, report.records) == (False, 3, 2)
    assert report.problem == "record 3: content does not match its hash (tampered)"
