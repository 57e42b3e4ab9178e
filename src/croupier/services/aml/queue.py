"""The risk queue as staff use it: the flags, a resolution with its reason (audited), and
the export behind a suspicious-activity report (JSON or CSV)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence

from croupier.domain.errors import InvalidInput, NotFound, StateConflict
from croupier.services.aml.ports import FlagState, RiskFlag, RiskStore
from croupier.services.audit import AuditEntry, AuditTrail

__all__ = ["EXPORT_COLUMNS", "RiskQueue", "flags_csv", "flags_json"]

_PAGE_MAX = 100
_EXPORT_MAX = 1_000_000
_REASON_CHARS_MAX = 500

EXPORT_COLUMNS = (
    "flag_id",
    "player_id",
    "rule",
    "transfer_id",
    "amount_minor",
    "currency",
    "raised_at_ms",
    "state",
    "resolved_by",
    "resolved_at_ms",
    "resolution",
    "detail",
)


class RiskQueue:
    def __init__(self, store: RiskStore, audit: AuditTrail, *, clock_ms: Callable[[], int]):
        self.store = store
        self.audit = audit
        self._clock_ms = clock_ms

    async def flags(
        self, *, state: FlagState | None = FlagState.OPEN, limit: int = 50
    ) -> list[RiskFlag]:
        if not 1 <= limit <= _PAGE_MAX:
            raise InvalidInput(f"limit must be 1 to {_PAGE_MAX}")
        return await self.store.flags(state=state, limit=limit)

    async def resolve(
        self, flag_id: str, *, actor: str, source_ip: str | None, reason: str
    ) -> RiskFlag:
        why = (reason or "").strip()
        if not why or len(why) > _REASON_CHARS_MAX:
            raise InvalidInput(f"a reason is required (at most {_REASON_CHARS_MAX} characters)")
        flag = await self.store.flag(flag_id)
        if flag is None:
            raise NotFound(f"no risk flag {flag_id!r}")
        if not await self.store.resolve_flag(
            flag_id, by=actor, at_ms=self._clock_ms(), resolution=why
        ):
            raise StateConflict(f"risk flag {flag_id!r} is already resolved")
        await self.audit.record(
            AuditEntry(
                actor=actor,
                action="aml.flag.resolved",
                subject=f"player:{flag.player_id}",
                source_ip=source_ip,
                reason=why,
                before={"flag_id": flag_id, "state": "open"},
                after={"flag_id": flag_id, "state": "resolved"},
            )
        )
        resolved = await self.store.flag(flag_id)
        assert resolved is not None
        return resolved

    async def export(self, from_ms: int, to_ms: int) -> list[RiskFlag]:
        """Every flag raised in ``[from_ms, to_ms)``, open or resolved, oldest first."""
        if to_ms <= from_ms:
            raise InvalidInput("the period is empty: --to must be after --from")
        return await self.store.flags(state=None, from_ms=from_ms, to_ms=to_ms, limit=_EXPORT_MAX)


def flags_json(flags: Sequence[RiskFlag]) -> str:
    return json.dumps([f.as_json() for f in flags], indent=2, sort_keys=True) + "\n"


def flags_csv(flags: Sequence[RiskFlag]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for flag in flags:
        row = flag.as_json()
        row["detail"] = json.dumps(row["detail"], sort_keys=True)
        writer.writerow(["" if row[c] is None else row[c] for c in EXPORT_COLUMNS])
    return out.getvalue()
