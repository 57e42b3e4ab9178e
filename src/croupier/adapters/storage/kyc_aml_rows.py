"""The rows of ``kyc_records`` and ``risk_flags`` (``0015_kyc_aml.sql``), shared by the
SQLite and PostgreSQL stores: one column order, one conversion each way."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from croupier.domain.compliance.kyc import KycState, StoredKyc
from croupier.services.aml.ports import FlagState, RiskFlag

__all__ = [
    "FLAG_COLUMNS",
    "KYC_COLUMNS",
    "KYC_REPLACE",
    "KYC_REPLACEABLE",
    "flag_from_row",
    "flag_row",
    "kyc_from_row",
    "kyc_row",
]

KYC_COLUMNS = (
    "player_id, state, document_sealed, valid_until, provider, reference, submitted_at_ms, "
    "decided_by, decided_at_ms, reason"
)
#: A new submission replaces the row (``ON CONFLICT … DO UPDATE SET``) …
KYC_REPLACE = ", ".join(f"{column} = excluded.{column}" for column in KYC_COLUMNS.split(", ")[1:])
#: … only if it is still the row the service read (its submission time and state: ``?``).
KYC_REPLACEABLE = "kyc_records.submitted_at_ms = ? AND kyc_records.state = ?"
FLAG_COLUMNS = (
    "flag_id, player_id, rule, transfer_id, amount_minor, currency, detail, raised_at_ms, "
    "state, resolved_by, resolved_at_ms, resolution"
)


def kyc_row(record: StoredKyc) -> tuple[Any, ...]:
    return (
        record.player_id,
        record.state.value,
        record.document_sealed,
        record.valid_until.isoformat(),
        record.provider,
        record.reference,
        record.submitted_at_ms,
        record.decided_by,
        record.decided_at_ms,
        record.reason,
    )


def kyc_from_row(row: Sequence[Any]) -> StoredKyc:
    return StoredKyc(
        player_id=row[0],
        state=KycState(row[1]),
        document_sealed=bytes(row[2]),
        valid_until=date.fromisoformat(row[3]),
        provider=row[4],
        reference=row[5],
        submitted_at_ms=int(row[6]),
        decided_by=row[7],
        decided_at_ms=None if row[8] is None else int(row[8]),
        reason=row[9],
    )


def flag_row(flag: RiskFlag) -> tuple[Any, ...]:
    return (
        flag.flag_id,
        flag.player_id,
        flag.rule,
        flag.transfer_id,
        flag.amount_minor,
        flag.currency,
        json.dumps(dict(flag.detail), sort_keys=True),
        flag.raised_at_ms,
        flag.state.value,
        flag.resolved_by,
        flag.resolved_at_ms,
        flag.resolution,
    )


def flag_from_row(row: Sequence[Any]) -> RiskFlag:
    return RiskFlag(
        flag_id=row[0],
        player_id=row[1],
        rule=row[2],
        transfer_id=row[3],
        amount_minor=int(row[4]),
        currency=row[5],
        detail=json.loads(row[6]),
        raised_at_ms=int(row[7]),
        state=FlagState(row[8]),
        resolved_by=row[9],
        resolved_at_ms=None if row[10] is None else int(row[10]),
        resolution=row[11],
    )
