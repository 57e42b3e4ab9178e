"""PostgreSQL back-office store on asyncpg: the scale-out twin of
:mod:`croupier.adapters.storage.sqlite.backoffice`.

Every decision is one ``UPDATE … WHERE state = ANY(…)``: a row lock makes the second of two
racing approvals (in any process) see the first one's state and change nothing."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping

from croupier.adapters.storage.backoffice_rows import (
    ADJUSTMENT_COLUMNS,
    CONTROL_COLUMNS,
    REVIEW_COLUMNS,
    SWITCH_COLUMNS,
    adjustment_from_row,
    adjustment_row,
    control_from_row,
    control_row,
    decision_assignments,
    review_from_row,
    review_row,
    switch_from_row,
)
from croupier.adapters.storage.postgres.base import (
    PostgresPoolStore,
    placeholders,
    rows_changed,
)
from croupier.services.backoffice.ports import (
    Adjustment,
    AdjustmentState,
    GameSwitch,
    PlayerControl,
    PlayerStatus,
    Restrictions,
    ReviewState,
    SessionView,
    WithdrawalReview,
)

__all__ = ["PostgresBackofficeStore"]


class PostgresBackofficeStore(PostgresPoolStore):
    """Implements ``croupier.services.backoffice.ports.BackofficeStore`` on PostgreSQL."""

    required_table = "adjustments"

    # -- account control -----------------------------------------------------------------
    async def control(self, player_id: str) -> PlayerControl | None:
        row = await self._connections().fetchrow(
            f"SELECT {CONTROL_COLUMNS} FROM player_controls WHERE player_id = $1", player_id
        )
        return control_from_row(row) if row is not None else None

    async def save_control(self, control: PlayerControl) -> PlayerControl:
        await self._connections().execute(
            f"INSERT INTO player_controls ({CONTROL_COLUMNS}) VALUES ({placeholders(6)}) "
            "ON CONFLICT (player_id) DO UPDATE SET status = excluded.status, "
            "flags = excluded.flags, reason = excluded.reason, "
            "updated_by = excluded.updated_by, updated_at_ms = excluded.updated_at_ms "
            "WHERE player_controls.status <> 'closed'",
            *control_row(control),
        )
        stored = await self.control(control.player_id)
        assert stored is not None
        return stored

    async def restrictions(self, player_id: str, game_id: str | None) -> Restrictions:
        row = await self._connections().fetchrow(
            "SELECT (SELECT status FROM player_controls WHERE player_id = $1), "
            "(SELECT enabled FROM game_switches WHERE game_id = $2)",
            player_id,
            game_id or "",
        )
        assert row is not None
        status = PlayerStatus(row[0]) if row[0] is not None else PlayerStatus.ACTIVE
        return Restrictions(status, row[1] is False)

    async def sessions(self, player_id: str, *, limit: int) -> list[SessionView]:
        rows = await self._connections().fetch(
            "SELECT s.created_at_ms, s.expires_at_ms, s.revoked_at_ms, "
            "(SELECT l.ip FROM player_logins AS l WHERE l.player_id = s.player_id "
            " AND l.logged_in_at_ms = s.created_at_ms LIMIT 1) "
            "FROM player_sessions AS s WHERE s.player_id = $1 "
            "ORDER BY s.created_at_ms DESC LIMIT $2",
            player_id,
            limit,
        )
        return [SessionView(int(r[0]), int(r[1]), r[2], r[3]) for r in rows]

    # -- adjustments ---------------------------------------------------------------------
    async def insert_adjustment(self, adjustment: Adjustment) -> Adjustment:
        await self._connections().execute(
            f"INSERT INTO adjustments ({ADJUSTMENT_COLUMNS}) VALUES ({placeholders(14)}) "
            "ON CONFLICT (request_id) DO NOTHING",
            *adjustment_row(adjustment),
        )
        stored = await self.adjustment(adjustment.request_id)
        assert stored is not None
        return stored

    async def adjustment(self, request_id: str) -> Adjustment | None:
        row = await self._connections().fetchrow(
            f"SELECT {ADJUSTMENT_COLUMNS} FROM adjustments WHERE request_id = $1", request_id
        )
        return adjustment_from_row(row) if row is not None else None

    async def decide_adjustment(
        self,
        request_id: str,
        *,
        from_states: Collection[AdjustmentState],
        to_state: AdjustmentState,
        by: str | None = None,
        at_ms: int | None = None,
        reason: str | None = None,
        transfer_id: str | None = None,
    ) -> bool:
        fields = {
            "decided_by": by,
            "decided_at_ms": at_ms,
            "decision_reason": reason,
            "transfer_id": transfer_id,
        }
        return await self._decide(
            "adjustments", "request_id", request_id, to_state.value, fields, from_states
        )

    async def _decide(
        self,
        table: str,
        key_column: str,
        key: str,
        to_state: str,
        fields: Mapping[str, object | None],
        from_states: Collection[str],
    ) -> bool:
        markers = (f"${n}" for n in itertools.count(1))
        assignments, values = decision_assignments(to_state, fields, markers)
        n = len(values)
        status = await self._connections().execute(
            f"UPDATE {table} SET {assignments} "
            f"WHERE {key_column} = ${n + 1} AND state = ANY(${n + 2}::text[])",
            *values,
            key,
            [str(state) for state in from_states],
        )
        return rows_changed(status) == 1

    async def adjustments(self, *, state: AdjustmentState | None, limit: int) -> list[Adjustment]:
        rows = await self._connections().fetch(
            f"SELECT {ADJUSTMENT_COLUMNS} FROM adjustments "
            "WHERE $1::text IS NULL OR state = $1 "
            "ORDER BY requested_at_ms DESC, request_id LIMIT $2",
            None if state is None else state.value,
            limit,
        )
        return [adjustment_from_row(row) for row in rows]

    # -- withdrawal reviews --------------------------------------------------------------
    async def ensure_review(self, review: WithdrawalReview) -> WithdrawalReview:
        await self._connections().execute(
            f"INSERT INTO withdrawal_reviews ({REVIEW_COLUMNS}) VALUES ({placeholders(9)}) "
            "ON CONFLICT (intent_id) DO NOTHING",
            *review_row(review),
        )
        stored = await self.review(review.intent_id)
        assert stored is not None
        return stored

    async def review(self, intent_id: str) -> WithdrawalReview | None:
        return (await self.reviews([intent_id])).get(intent_id)

    async def decide_review(
        self,
        intent_id: str,
        *,
        from_states: Collection[ReviewState],
        to_state: ReviewState,
        by: str | None = None,
        at_ms: int | None = None,
        reason: str | None = None,
    ) -> bool:
        fields = {"decided_by": by, "decided_at_ms": at_ms, "decision_reason": reason}
        return await self._decide(
            "withdrawal_reviews", "intent_id", intent_id, to_state.value, fields, from_states
        )

    async def reviews(self, intent_ids: Collection[str]) -> dict[str, WithdrawalReview]:
        rows = await self._connections().fetch(
            f"SELECT {REVIEW_COLUMNS} FROM withdrawal_reviews WHERE intent_id = ANY($1::text[])",
            list(intent_ids),
        )
        return {row[0]: review_from_row(row) for row in rows}

    # -- games ---------------------------------------------------------------------------
    async def game_switches(self) -> list[GameSwitch]:
        rows = await self._connections().fetch(
            f"SELECT {SWITCH_COLUMNS} FROM game_switches ORDER BY game_id"
        )
        return [switch_from_row(row) for row in rows]

    async def save_game_switch(self, switch: GameSwitch) -> None:
        await self._connections().execute(
            f"INSERT INTO game_switches ({SWITCH_COLUMNS}) VALUES ({placeholders(5)}) "
            "ON CONFLICT (game_id) DO UPDATE SET enabled = excluded.enabled, "
            "reason = excluded.reason, updated_by = excluded.updated_by, "
            "updated_at_ms = excluded.updated_at_ms",
            switch.game_id,
            switch.enabled,
            switch.reason,
            switch.updated_by,
            switch.updated_at_ms,
        )
