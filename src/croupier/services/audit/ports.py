"""What the rest of Croupier records into the audit trail, the port it records through, and
the store port the durable trail keeps its records in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from croupier.domain.audit import AuditRecord
from croupier.domain.errors import InvalidInput

__all__ = ["QUERY_LIMIT_MAX", "AuditEntry", "AuditPage", "AuditQuery", "AuditStore", "AuditTrail"]

#: The most records one query returns: page on with ``after_seq``.
QUERY_LIMIT_MAX = 1000


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One thing that happened, as its recorder says it (the trail adds time, seq and hash).

    ``actor``: ``staff:<id>``, ``player:<id>``, ``system`` or ``anonymous``.
    ``action``: dotted, family first: ``staff.login``, ``player.login.failed``,
    ``adjustment.approved``, ``admin.refused`` …
    ``subject``: what it was done to (``player:<id>``, ``withdrawal:<id>`` …), if anything.
    ``before``/``after``: the changed fields, JSON-ready; never a secret, password or token.
    """

    actor: str
    action: str
    subject: str | None = None
    source_ip: str | None = None
    reason: str | None = None
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None


class AuditTrail(Protocol):
    async def record(self, entry: AuditEntry) -> None:
        """Append ``entry`` durably (hash-chained) before returning."""


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Which records to read. Every filter given must match; records come in seq order.

    ``action_prefix``: a plain string prefix (``"staff."`` matches ``staff.login``).
    ``since_ms`` (inclusive) and ``until_ms`` (exclusive): UTC milliseconds since the epoch.
    ``after_seq``: the last seq of the previous page (0: from the start).
    """

    actor: str | None = None
    action_prefix: str | None = None
    subject: str | None = None
    since_ms: int | None = None
    until_ms: int | None = None
    after_seq: int = 0
    limit: int = 100

    def __post_init__(self) -> None:
        if isinstance(self.limit, bool) or not 1 <= self.limit <= QUERY_LIMIT_MAX:
            raise InvalidInput(f"limit must be in 1..{QUERY_LIMIT_MAX}")
        if isinstance(self.after_seq, bool) or self.after_seq < 0:
            raise InvalidInput("after_seq must be 0 or more")
        for name in ("since_ms", "until_ms"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or value < 0):
                raise InvalidInput(f"{name} must be 0 or more")
        if (
            self.since_ms is not None
            and self.until_ms is not None
            and self.until_ms < self.since_ms
        ):
            raise InvalidInput("until_ms is before since_ms")
        for name in ("actor", "action_prefix", "subject"):
            value = getattr(self, name)
            if value is not None and not 1 <= len(value) <= 200:
                raise InvalidInput(f"{name} must be 1 to 200 characters")


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of records; ``next_after_seq`` is the ``after_seq`` of the next page (None:
    this was the last)."""

    records: tuple[AuditRecord, ...]
    next_after_seq: int | None


class AuditStore(Protocol):
    """Where the durable trail lives. ``append`` reads the head and writes the next record in
    one transaction, one appender at a time, whatever the number of processes."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def append(self, entry: AuditEntry, *, at_ms: int) -> AuditRecord:
        """Seal ``entry`` onto the head of the chain and commit it durably."""

    async def query(self, query: AuditQuery) -> list[AuditRecord]:
        """Up to ``query.limit`` matching records after ``query.after_seq``, in seq order."""

    async def scan(self, after_seq: int, limit: int) -> list[AuditRecord]:
        """Up to ``limit`` records after ``after_seq``, every one, in seq order (to verify)."""
