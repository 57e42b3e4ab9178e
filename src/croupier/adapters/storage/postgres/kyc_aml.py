"""PostgreSQL store of KYC rows and AML risk flags: the scale-out twin of
:mod:`croupier.adapters.storage.sqlite.kyc_aml` (a gateway writes here directly: these rows
are decisions about people, not money)."""

from __future__ import annotations

from collections.abc import Collection

from croupier.adapters.storage.kyc_aml_rows import (
    FLAG_COLUMNS,
    KYC_COLUMNS,
    KYC_REPLACE,
    KYC_REPLACEABLE,
    flag_from_row,
    flag_row,
    kyc_from_row,
    kyc_row,
)
from croupier.adapters.storage.postgres.base import (
    PostgresPoolStore,
    placeholders,
    rows_changed,
)
from croupier.domain.compliance.kyc import KycState, StoredKyc
from croupier.services.aml.ports import FlagState, RiskFlag

__all__ = ["PostgresKycAmlStore"]


class PostgresKycAmlStore(PostgresPoolStore):
    """Implements ``KycStore`` and ``RiskStore`` on PostgreSQL."""

    required_table = "risk_flags"

    # -- KYC -----------------------------------------------------------------------------
    async def kyc(self, player_id: str) -> StoredKyc | None:
        row = await self._connections().fetchrow(
            f"SELECT {KYC_COLUMNS} FROM kyc_records WHERE player_id = $1", player_id
        )
        return None if row is None else kyc_from_row(row)

    async def save_kyc(self, record: StoredKyc, *, replacing: StoredKyc | None) -> bool:
        insert = f"INSERT INTO kyc_records ({KYC_COLUMNS}) VALUES ({placeholders(10)}) "
        extra: list[object]
        if replacing is None:
            sql, extra = f"{insert}ON CONFLICT (player_id) DO NOTHING", []
        else:
            where = KYC_REPLACEABLE.replace("?", "$11", 1).replace("?", "$12", 1)
            sql = f"{insert}ON CONFLICT (player_id) DO UPDATE SET {KYC_REPLACE} WHERE {where}"
            extra = [replacing.submitted_at_ms, replacing.state.value]
        status = await self._connections().execute(sql, *kyc_row(record), *extra)
        return rows_changed(status) == 1

    async def decide_kyc(
        self,
        player_id: str,
        *,
        from_states: Collection[KycState],
        to_state: KycState,
        by: str,
        at_ms: int,
        reason: str,
    ) -> bool:
        status = await self._connections().execute(
            "UPDATE kyc_records SET state = $1, decided_by = $2, decided_at_ms = $3, "
            "reason = $4 WHERE player_id = $5 AND state = ANY($6::text[])",
            to_state.value,
            by,
            at_ms,
            reason,
            player_id,
            [s.value for s in from_states],
        )
        return rows_changed(status) == 1

    async def kyc_queue(self, state: KycState, *, limit: int) -> list[StoredKyc]:
        rows = await self._connections().fetch(
            f"SELECT {KYC_COLUMNS} FROM kyc_records WHERE state = $1 "
            "ORDER BY submitted_at_ms, player_id LIMIT $2",
            state.value,
            limit,
        )
        return [kyc_from_row(row) for row in rows]

    # -- risk flags ----------------------------------------------------------------------
    async def raise_flag(self, flag: RiskFlag) -> bool:
        status = await self._connections().execute(
            f"INSERT INTO risk_flags ({FLAG_COLUMNS}) VALUES ({placeholders(12)}) "
            "ON CONFLICT (flag_id) DO NOTHING",
            *flag_row(flag),
        )
        return rows_changed(status) == 1

    async def flag(self, flag_id: str) -> RiskFlag | None:
        row = await self._connections().fetchrow(
            f"SELECT {FLAG_COLUMNS} FROM risk_flags WHERE flag_id = $1", flag_id
        )
        return None if row is None else flag_from_row(row)

    async def flags(
        self,
        *,
        state: FlagState | None,
        from_ms: int | None = None,
        to_ms: int | None = None,
        limit: int,
    ) -> list[RiskFlag]:
        rows = await self._connections().fetch(
            f"SELECT {FLAG_COLUMNS} FROM risk_flags WHERE ($1::text IS NULL OR state = $1) "
            "AND raised_at_ms >= $2 AND raised_at_ms < $3 "
            "ORDER BY raised_at_ms, flag_id LIMIT $4",
            None if state is None else state.value,
            -1 if from_ms is None else from_ms,
            2**62 if to_ms is None else to_ms,
            limit,
        )
        return [flag_from_row(row) for row in rows]

    async def flag_counts(self, player_id: str) -> tuple[int, int]:
        row = await self._connections().fetchrow(
            "SELECT COUNT(*) FILTER (WHERE state = 'open'), COUNT(*) FROM risk_flags "
            "WHERE player_id = $1",
            player_id,
        )
        assert row is not None  # an aggregate always answers one row
        return int(row[0]), int(row[1])

    async def resolve_flag(self, flag_id: str, *, by: str, at_ms: int, resolution: str) -> bool:
        status = await self._connections().execute(
            "UPDATE risk_flags SET state = 'resolved', resolved_by = $1, resolved_at_ms = $2, "
            "resolution = $3 WHERE flag_id = $4 AND state = 'open'",
            by,
            at_ms,
            resolution,
            flag_id,
        )
        return rows_changed(status) == 1
