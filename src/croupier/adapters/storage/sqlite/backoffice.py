"""SQLite back-office store: account controls, adjustments, withdrawal reviews and game
switches, in the ledger's file (the ledger store migrates it: open that first).

Every decision is one ``UPDATE … WHERE state IN (…)`` on the writer's connection: the
compare-and-set that lets exactly one of two racing approvals through."""

from __future__ import annotations

import itertools
from collections.abc import Collection

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
from croupier.adapters.storage.sqlite.base import SqliteStore
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

__all__ = ["SqliteBackofficeStore"]


def _marks(count: int) -> str:
    return ", ".join("?" * count)


class SqliteBackofficeStore(SqliteStore):
    """Implements ``croupier.services.backoffice.ports.BackofficeStore`` on a SQLite file."""

    thread_prefix = "backoffice-sqlite"

    async def open(self) -> None:
        await self._open_connections()
        await self._require_table("adjustments")

    async def _changed(self, sql: str, params: tuple[object, ...]) -> int:
        return await self._on_writer(lambda: self._writer().execute(sql, params).rowcount)

    # -- account control -----------------------------------------------------------------
    async def control(self, player_id: str) -> PlayerControl | None:
        rows = self._lookup(
            f"SELECT {CONTROL_COLUMNS} FROM player_controls WHERE player_id = ?", (player_id,)
        )
        return control_from_row(rows[0]) if rows else None

    async def save_control(self, control: PlayerControl) -> PlayerControl:
        await self._changed(
            f"INSERT INTO player_controls ({CONTROL_COLUMNS}) VALUES ({_marks(6)}) "
            "ON CONFLICT (player_id) DO UPDATE SET status = excluded.status, "
            "flags = excluded.flags, reason = excluded.reason, "
            "updated_by = excluded.updated_by, updated_at_ms = excluded.updated_at_ms "
            "WHERE player_controls.status <> 'closed'",
            control_row(control),
        )
        stored = await self.control(control.player_id)
        assert stored is not None
        return stored

    async def restrictions(self, player_id: str, game_id: str | None) -> Restrictions:
        row = self._lookup(
            "SELECT (SELECT status FROM player_controls WHERE player_id = ?), "
            "(SELECT enabled FROM game_switches WHERE game_id = ?)",
            (player_id, game_id or ""),
        )[0]
        status = PlayerStatus(row[0]) if row[0] is not None else PlayerStatus.ACTIVE
        return Restrictions(status, row[1] is not None and not row[1])

    async def sessions(self, player_id: str, *, limit: int) -> list[SessionView]:
        rows = await self._read(
            "SELECT s.created_at_ms, s.expires_at_ms, s.revoked_at_ms, "
            "(SELECT l.ip FROM player_logins AS l WHERE l.player_id = s.player_id "
            " AND l.logged_in_at_ms = s.created_at_ms LIMIT 1) "
            "FROM player_sessions AS s WHERE s.player_id = ? "
            "ORDER BY s.created_at_ms DESC LIMIT ?",
            (player_id, limit),
        )
        return [SessionView(int(r[0]), int(r[1]), r[2], r[3]) for r in rows]

    # -- adjustments ---------------------------------------------------------------------
    async def insert_adjustment(self, adjustment: Adjustment) -> Adjustment:
        await self._changed(
            f"INSERT INTO adjustments ({ADJUSTMENT_COLUMNS}) VALUES ({_marks(14)}) "
            "ON CONFLICT (request_id) DO NOTHING",
            adjustment_row(adjustment),
        )
        stored = await self.adjustment(adjustment.request_id)
        assert stored is not None
        return stored

    async def adjustment(self, request_id: str) -> Adjustment | None:
        rows = await self._read(
            f"SELECT {ADJUSTMENT_COLUMNS} FROM adjustments WHERE request_id = ?", (request_id,)
        )
        return adjustment_from_row(rows[0]) if rows else None

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
        assignments, values = decision_assignments(to_state.value, fields, itertools.repeat("?"))
        states = [state.value for state in from_states]
        changed = await self._changed(
            f"UPDATE adjustments SET {assignments} "
            f"WHERE request_id = ? AND state IN ({_marks(len(states))})",
            (*values, request_id, *states),
        )
        return changed == 1

    async def adjustments(self, *, state: AdjustmentState | None, limit: int) -> list[Adjustment]:
        where, params = ("WHERE state = ?", (state.value,)) if state else ("", ())
        rows = await self._read(
            f"SELECT {ADJUSTMENT_COLUMNS} FROM adjustments {where} "
            "ORDER BY requested_at_ms DESC, request_id LIMIT ?",
            (*params, limit),
        )
        return [adjustment_from_row(row) for row in rows]

    # -- withdrawal reviews --------------------------------------------------------------
    async def ensure_review(self, review: WithdrawalReview) -> WithdrawalReview:
        await self._changed(
            f"INSERT INTO withdrawal_reviews ({REVIEW_COLUMNS}) VALUES ({_marks(9)}) "
            "ON CONFLICT (intent_id) DO NOTHING",
            review_row(review),
        )
        stored = await self.review(review.intent_id)
        assert stored is not None
        return stored

    async def review(self, intent_id: str) -> WithdrawalReview | None:
        found = await self.reviews([intent_id])
        return found.get(intent_id)

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
        assignments, values = decision_assignments(to_state.value, fields, itertools.repeat("?"))
        states = [state.value for state in from_states]
        changed = await self._changed(
            f"UPDATE withdrawal_reviews SET {assignments} "
            f"WHERE intent_id = ? AND state IN ({_marks(len(states))})",
            (*values, intent_id, *states),
        )
        return changed == 1

    async def reviews(self, intent_ids: Collection[str]) -> dict[str, WithdrawalReview]:
        found: dict[str, WithdrawalReview] = {}
        ids = list(intent_ids)
        for first in range(0, len(ids), 500):  # under SQLite's bound on parameters
            chunk = ids[first : first + 500]
            rows = await self._read(
                f"SELECT {REVIEW_COLUMNS} FROM withdrawal_reviews "
                f"WHERE intent_id IN ({_marks(len(chunk))})",
                tuple(chunk),
            )
            found.update((row[0], review_from_row(row)) for row in rows)
        return found

    # -- games ---------------------------------------------------------------------------
    async def game_switches(self) -> list[GameSwitch]:
        rows = await self._read(f"SELECT {SWITCH_COLUMNS} FROM game_switches ORDER BY game_id")
        return [switch_from_row(row) for row in rows]

    async def save_game_switch(self, switch: GameSwitch) -> None:
        await self._changed(
            f"INSERT INTO game_switches ({SWITCH_COLUMNS}) VALUES ({_marks(5)}) "
            "ON CONFLICT (game_id) DO UPDATE SET enabled = excluded.enabled, "
            "reason = excluded.reason, updated_by = excluded.updated_by, "
            "updated_at_ms = excluded.updated_at_ms",
            (
                switch.game_id,
                int(switch.enabled),
                switch.reason,
                switch.updated_by,
                switch.updated_at_ms,
            ),
        )
