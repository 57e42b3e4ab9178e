"""The audit trail: every staff action and every security event of a player.

- :class:`AuditLog`: the durable, hash-chained trail (``Platform.audit``): ``record``,
  ``query``, ``verify``;
- :class:`AuditEntry` and the :class:`AuditTrail` port: what callers record, and through what;
- :class:`AuditStore`: where the trail keeps its records (SQLite, PostgreSQL, memory).
"""

from croupier.domain.audit import AuditRecord, ChainReport
from croupier.services.audit.log import AuditLog
from croupier.services.audit.memory import MemoryAuditStore
from croupier.services.audit.ports import (
    QUERY_LIMIT_MAX,
    AuditEntry,
    AuditPage,
    AuditQuery,
    AuditStore,
    AuditTrail,
)
from croupier.services.audit.render import record_as_json

__all__ = [
    "QUERY_LIMIT_MAX",
    "AuditEntry",
    "AuditLog",
    "AuditPage",
    "AuditQuery",
    "AuditRecord",
    "AuditStore",
    "AuditTrail",
    "ChainReport",
    "MemoryAuditStore",
    "record_as_json",
]
