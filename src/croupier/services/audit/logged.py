"""The security log: every audit entry as one JSON line on the ``croupier.security`` logger,
with its time, so the server's log shows logins, refusals and staff actions as they happen.

The durable, hash-chained trail (:class:`croupier.services.audit.AuditLog`) records the same
entries and writes each line through :meth:`LoggedAuditTrail.write`, with its seq; this is
the operator's live view.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime

from croupier.services.audit.ports import AuditEntry

__all__ = ["LoggedAuditTrail"]


class LoggedAuditTrail:
    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        logger: logging.Logger | None = None,
    ) -> None:
        self._clock = clock
        self._log = logger or logging.getLogger("croupier.security")

    async def record(self, entry: AuditEntry) -> None:
        self.write(entry, at=self._clock())

    def write(
        self, entry: AuditEntry, *, at: datetime, seq: int | None = None, level: int = logging.INFO
    ) -> None:
        """One line for ``entry``; ``seq``: its place in the durable trail, when it has one."""
        line = {"at": at.isoformat(timespec="milliseconds"), **asdict(entry)}
        if seq is not None:
            line["seq"] = seq
        self._log.log(level, "%s", json.dumps(line, sort_keys=True, default=str))
