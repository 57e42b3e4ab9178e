"""The audit store in memory: the fake that ships beside the port, for unit tests and for a
platform built without a database."""

from __future__ import annotations

import asyncio

from croupier.domain.audit import GENESIS_HASH, AuditRecord
from croupier.services.audit.ports import AuditEntry, AuditQuery

__all__ = ["MemoryAuditStore", "matches"]


def matches(record: AuditRecord, query: AuditQuery) -> bool:
    """Whether ``record`` passes every filter of ``query`` (its page bounds aside)."""
    return (
        (query.actor is None or record.actor == query.actor)
        and (query.action_prefix is None or record.action.startswith(query.action_prefix))
        and (query.subject is None or record.subject == query.subject)
        and (query.since_ms is None or record.at_ms >= query.since_ms)
        and (query.until_ms is None or record.at_ms < query.until_ms)
    )


class MemoryAuditStore:
    """Implements ``AuditStore`` in a list; records vanish with the process."""

    def __init__(self) -> None:
        self.records: list[AuditRecord] = []
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def append(self, entry: AuditEntry, *, at_ms: int) -> AuditRecord:
        async with self._lock:
            head = self.records[-1] if self.records else None
            record = AuditRecord.seal(
                head.seq + 1 if head else 1,
                head.hash if head else GENESIS_HASH,
                at_ms,
                actor=entry.actor,
                action=entry.action,
                subject=entry.subject,
                source_ip=entry.source_ip,
                reason=entry.reason,
                before=entry.before,
                after=entry.after,
            )
            self.records.append(record)
            return record

    async def query(self, query: AuditQuery) -> list[AuditRecord]:
        found = [r for r in self.records if r.seq > query.after_seq and matches(r, query)]
        return found[: query.limit]

    async def scan(self, after_seq: int, limit: int) -> list[AuditRecord]:
        return [r for r in self.records if r.seq > after_seq][:limit]
