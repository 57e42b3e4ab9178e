"""Rows of the engagement tables (migration 0020), shared by the SQLite and PostgreSQL stores."""

from __future__ import annotations

import json
from typing import Any

from croupier.services.leaderboards.ports import ClosedPeriod, Entry

__all__ = ["entries_json", "period_from_row"]


def entries_json(closed: ClosedPeriod) -> str:
    return json.dumps(
        [[entry.rank, entry.player_id, entry.score, entry.t_s] for entry in closed.entries],
        separators=(",", ":"),
    )


def period_from_row(row: tuple[Any, ...]) -> ClosedPeriod:
    board_id, period, starts_at_ms, ends_at_ms, entries = row
    return ClosedPeriod(
        board_id,
        period,
        int(starts_at_ms),
        int(ends_at_ms),
        tuple(Entry(int(r), str(p), int(s), int(t)) for r, p, s, t in json.loads(entries)),
    )
