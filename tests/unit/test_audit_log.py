"""The audit log service on its in-memory store: each record reaches the security log with
its seq, and an entry it could not store is logged all the same, then refused."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from croupier.domain.errors import InvalidInput
from croupier.services.audit import AuditEntry, AuditLog, AuditQuery, MemoryAuditStore

_MOMENT = datetime(2026, 12, 6, 22, 0, 0, 123_000, tzinfo=UTC)


def _lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, dict[str, object]]]:
    return [
        (r.levelno, json.loads(r.getMessage()))
        for r in caplog.records
        if r.name == "croupier.security"
    ]


async def test_a_record_is_stored_then_logged_with_its_seq(
    caplog: pytest.LogCaptureFixture,
) -> None:
    audit = AuditLog(MemoryAuditStore(), clock=lambda: _MOMENT)
    caplog.set_level(logging.INFO, "croupier.security")

    stored = await audit.append(AuditEntry("staff:1", "staff.login", source_ip="10.1.2.3"))

    assert stored.at_ms == 1_796_594_400_123
    [(level, line)] = _lines(caplog)
    assert level == logging.INFO
    assert line["seq"] == 1 and line["at"] == "2026-12-06T22:00:00.123+00:00"
    assert (line["actor"], line["action"], line["source_ip"]) == (
        "staff:1",
        "staff.login",
        "10.1.2.3",
    )


async def test_an_entry_it_cannot_store_is_logged_as_an_error_and_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    audit = AuditLog(MemoryAuditStore(), clock=lambda: _MOMENT)
    caplog.set_level(logging.INFO, "croupier.security")

    with pytest.raises(InvalidInput):
        await audit.record(AuditEntry("staff:1", "x" * 101))

    [(level, line)] = _lines(caplog)
    assert level == logging.ERROR and "seq" not in line
    assert (await audit.query(AuditQuery())).records == ()


async def test_verify_reads_a_trail_longer_than_a_page() -> None:
    store = MemoryAuditStore()
    audit = AuditLog(store)
    for n in range(2_345):
        await audit.record(AuditEntry("system", "tick", reason=str(n)))

    report = await audit.verify()

    assert report.ok and report.records == 2_345 and report.head_hash == store.records[-1].hash
