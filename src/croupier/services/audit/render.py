"""An audit record as JSON-ready values: what ``croupier audit query`` prints and the admin
API's ``GET /admin/v1/audit`` answers, field for field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from croupier.domain.audit import AuditRecord

__all__ = ["epoch_ms", "record_as_json", "time_of"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def time_of(at_ms: int) -> datetime:
    """UTC milliseconds since the epoch as an aware time."""
    return _EPOCH + timedelta(milliseconds=at_ms)


def epoch_ms(moment: datetime) -> int:
    """A time as UTC milliseconds since the epoch; a time without a zone is taken as UTC.

    >>> epoch_ms(datetime(2026, 12, 1))
    1796083200000
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def record_as_json(record: AuditRecord) -> dict[str, Any]:
    """The record with ``before``/``after`` as objects and ``at`` as an ISO time besides
    ``at_ms``.

    >>> from croupier.domain.audit import GENESIS_HASH
    >>> seen = record_as_json(AuditRecord.seal(1, GENESIS_HASH, 0, actor="system", action="x"))
    >>> seen["at"], seen["before"]
    ('1970-01-01T00:00:00.000+00:00', None)
    """
    return {
        "seq": record.seq,
        "at": time_of(record.at_ms).isoformat(timespec="milliseconds"),
        "at_ms": record.at_ms,
        "actor": record.actor,
        "action": record.action,
        "subject": record.subject,
        "source_ip": record.source_ip,
        "reason": record.reason,
        "before": record.before,
        "after": record.after,
        "prev_hash": record.prev_hash,
        "hash": record.hash,
    }
