"""SQLite store of KYC rows and AML risk flags, in the ledger's file (the ledger store
migrates it: open that first). Decisions are compare-and-set ``UPDATE … WHERE state IN``."""

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
from croupier.adapters.storage.sqlite.base import SqliteStore
from croupier.domain.compliance.kyc import KycState, StoredKyc
from croupier.services.aml.ports import FlagState, RiskFlag

__all__ = ["SqliteKycAmlStore"]


class SqliteKycAmlStore(SqliteStore):
    """Implements ``KycStore`` and ``RiskStore`` on a SQLite file."""

    thread_prefix = "kyc-aml-sqlite"

    async def open(self) -> None:
        await self._open_connections()
        await self._require_table("risk_flags")

    async def _changed(self, sql: str, params: tuple[object, ...]) -> int:
        return await self._on_writer(lambda: self._writer().execute(sql, params).rowcount)

    # -- KYC -----------------------------------------------------------------------------
    async def kyc(self, player_id: str) -> StoredKyc | None:
        rows = await self._read(
            f"SELECT {KYC_COLUMNS} FROM kyc_records WHERE player_id = ?", (player_id,)
        )
        return kyc_from_row(rows[0]) if rows else None

    async def save_kyc(self, record: StoredKyc, *, replacing: StoredKyc | None) -> bool:
        insert = f"INSERT INTO kyc_records ({KYC_COLUMNS}) VALUES ({', '.join('?' * 10)}) "
        if replacing is None:
            return (
                await self._changed(f"{insert}ON CONFLICT (player_id) DO NOTHING", kyc_row(record))
                == 1
            )
        return (
            await self._changed(
                f"{insert}ON CONFLICT (player_id) DO UPDATE SET {KYC_REPLACE} "
                f"WHERE {KYC_REPLACEABLE}",
                (*kyc_row(record), replacing.submitted_at_ms, replacing.state.value),
            )
            == 1
        )

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
        states = [s.value for s in from_states]
        return (
            await self._changed(
                "UPDATE kyc_records SET state = ?, decided_by = ?, decided_at_ms = ?, reason = ? "
                f"WHERE player_id = ? AND state IN ({', '.join('?' * len(states))})",
                (to_state.value, by, at_ms, reason, player_id, *states),
            )
            == 1
        )

    async def kyc_queue(self, state: KycState, *, limit: int) -> list[StoredKyc]:
        rows = await self._read(
            f"SELECT {KYC_COLUMNS} FROM kyc_records WHERE state = ? "
            "ORDER BY submitted_at_ms, player_id LIMIT ?",
            (state.value, limit),
        )
        return [kyc_from_row(row) for row in rows]

    # -- risk flags ----------------------------------------------------------------------
    async def raise_flag(self, flag: RiskFlag) -> bool:
        return (
            await self._changed(
                f"INSERT INTO risk_flags ({FLAG_COLUMNS}) VALUES ({', '.join('?' * 12)}) "
                "ON CONFLICT (flag_id) DO NOTHING",
                flag_row(flag),
            )
            == 1
        )

    async def flag(self, flag_id: str) -> RiskFlag | None:
        rows = await self._read(
            f"SELECT {FLAG_COLUMNS} FROM risk_flags WHERE flag_id = ?", (flag_id,)
        )
        return flag_from_row(rows[0]) if rows else None

    async def flags(
        self,
        *,
        state: FlagState | None,
        from_ms: int | None = None,
        to_ms: int | None = None,
        limit: int,
    ) -> list[RiskFlag]:
        rows = await self._read(
            f"SELECT {FLAG_COLUMNS} FROM risk_flags WHERE (? IS NULL OR state = ?) "
            "AND raised_at_ms >= ? AND raised_at_ms < ? "
            "ORDER BY raised_at_ms, flag_id LIMIT ?",
            (
                None if state is None else state.value,
                None if state is None else state.value,
                -1 if from_ms is None else from_ms,
                2**62 if to_ms is None else to_ms,
                limit,
            ),
        )
        return [flag_from_row(row) for row in rows]

    async def flag_counts(self, player_id: str) -> tuple[int, int]:
        rows = await self._read(
            "SELECT COALESCE(SUM(state = 'open'), 0), COUNT(*) FROM risk_flags WHERE player_id = ?",
            (player_id,),
        )
        return int(rows[0][0]), int(rows[0][1])

    async def resolve_flag(self, flag_id: str, *, by: str, at_ms: int, resolution: str) -> bool:
        return (
            await self._changed(
                "UPDATE risk_flags SET state = 'resolved', resolved_by = ?, resolved_at_ms = ?, "
                "resolution = ? WHERE flag_id = ? AND state = 'open'",
                (by, at_ms, resolution, flag_id),
            )
            == 1
        )
