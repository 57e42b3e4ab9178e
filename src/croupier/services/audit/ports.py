"""What the rest of Croupier records into the audit trail, and the port it records through."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["AuditEntry", "AuditTrail"]


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
