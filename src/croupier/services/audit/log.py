"""The durable audit trail: append-only, hash-chained, queried by filters, verified whole.

Every entry is sealed onto the chain by the store (one transaction reads the head and writes
the next record) and then written as a JSON line on the ``croupier.security`` logger, with
its seq, through :class:`~croupier.services.audit.logged.LoggedAuditTrail`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from croupier.domain.audit import AuditRecord, ChainReport, ChainVerifier
from croupier.services.audit.logged import LoggedAuditTrail
from croupier.services.audit.ports import AuditEntry, AuditPage, AuditQuery, AuditStore

__all__ = ["VERIFY_PAGE_RECORDS", "AuditLog"]

#: Records read per round trip while verifying: a long trail is never held whole in memory.
VERIFY_PAGE_RECORDS = 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class AuditLog:
    """Implements the ``AuditTrail`` port durably; opened and closed with the platform."""

    def __init__(
        self,
        store: AuditStore,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        security_log: LoggedAuditTrail | None = None,
    ) -> None:
        self.store = store
        self._clock = clock
        self._security_log = security_log or LoggedAuditTrail(clock)

    async def open(self) -> None:
        await self.store.open()

    async def close(self) -> None:
        await self.store.close()

    async def record(self, entry: AuditEntry) -> None:
        """Append ``entry`` durably, then log it. Raises if it could not be stored (a refused
        field: ``InvalidInput``), after logging it anyway: the live log misses nothing."""
        await self.append(entry)

    async def append(self, entry: AuditEntry) -> AuditRecord:
        """:meth:`record`, returning the stored record (its seq and hash)."""
        at = self._clock()
        try:
            stored = await self.store.append(
                entry, at_ms=(at - _EPOCH) // timedelta(milliseconds=1)
            )
        except BaseException:
            self._security_log.write(entry, at=at, level=logging.ERROR)
            raise
        self._security_log.write(entry, at=at, seq=stored.seq)
        return stored

    async def query(self, query: AuditQuery) -> AuditPage:
        """One page of the records that match ``query``, in seq order."""
        records = await self.store.query(query)
        full = len(records) == query.limit
        return AuditPage(tuple(records), records[-1].seq if full else None)

    async def verify(self, anchor: tuple[int, str] | None = None) -> ChainReport:
        """Re-read the whole trail and check its chain; the report names the first broken
        record. ``anchor``: ``(seq, hash)`` of a head kept outside the database."""
        verifier = ChainVerifier(anchor)
        after_seq = 0
        while True:
            page = await self.store.scan(after_seq, VERIFY_PAGE_RECORDS)
            for record in page:
                if not verifier.add(record):
                    return verifier.finish()
            if len(page) < VERIFY_PAGE_RECORDS:
                return verifier.finish()
            after_seq = page[-1].seq
