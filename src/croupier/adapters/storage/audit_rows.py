"""The ``audit_log`` table's columns, rows and filtered query, shared by both engines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from croupier.domain.audit import AuditRecord
from croupier.services.audit.ports import AuditEntry, AuditQuery

__all__ = ["AUDIT_COLUMNS", "filtered_query", "record_from_row", "record_row", "seal_entry"]

AUDIT_COLUMNS = (
    "seq, at_ms, actor, action, subject, source_ip, reason, before_json, after_json, "
    "prev_hash, hash"
)


def record_from_row(row: Sequence[Any]) -> AuditRecord:
    return AuditRecord(*row)


def record_row(record: AuditRecord) -> tuple[Any, ...]:
    """The record's values in ``AUDIT_COLUMNS`` order."""
    return (
        record.seq,
        record.at_ms,
        record.actor,
        record.action,
        record.subject,
        record.source_ip,
        record.reason,
        record.before_json,
        record.after_json,
        record.prev_hash,
        record.hash,
    )


def seal_entry(entry: AuditEntry, head: tuple[int, str], at_ms: int) -> AuditRecord:
    """``entry`` sealed onto the head ``(seq, hash)`` read in the appending transaction."""
    return AuditRecord.seal(
        head[0] + 1,
        head[1],
        at_ms,
        actor=entry.actor,
        action=entry.action,
        subject=entry.subject,
        source_ip=entry.source_ip,
        reason=entry.reason,
        before=entry.before,
        after=entry.after,
    )


def filtered_query(query: AuditQuery, placeholder: Callable[[int], str]) -> tuple[str, list[Any]]:
    """``SELECT`` of the records matching ``query``, paged by seq; ``placeholder(n)`` is the
    engine's n-th parameter mark (``?`` or ``$n``)."""
    clauses: list[str] = ["seq > {}"]
    params: list[Any] = [query.after_seq]
    if query.actor is not None:
        clauses.append("actor = {}")
        params.append(query.actor)
    if query.action_prefix is not None:
        # substr, not LIKE: SQLite's LIKE ignores case, and _ and % would need escaping.
        clauses.append("substr(action, 1, {}) = {}")
        params += [len(query.action_prefix), query.action_prefix]
    if query.subject is not None:
        clauses.append("subject = {}")
        params.append(query.subject)
    if query.since_ms is not None:
        clauses.append("at_ms >= {}")
        params.append(query.since_ms)
    if query.until_ms is not None:
        clauses.append("at_ms < {}")
        params.append(query.until_ms)
    where = " AND ".join(clauses)
    marks = iter(placeholder(n) for n in range(1, len(params) + 2))
    where = where.format(*(next(marks) for _ in range(where.count("{}"))))
    params.append(query.limit)
    sql = f"SELECT {AUDIT_COLUMNS} FROM audit_log WHERE {where} ORDER BY seq LIMIT {next(marks)}"
    return sql, params
