"""Rows of ``responsible_gambling`` (migration 0014), shared by the SQLite and PostgreSQL
stores."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from croupier.adapters.storage.player_rows import from_ms, to_ms
from croupier.domain.compliance.responsible import (
    Exclusion,
    ExclusionKind,
    ResponsibleState,
    limits_from_json,
    limits_to_json,
)

__all__ = ["COLUMNS", "state_from_row", "state_row"]

COLUMNS: Final = (
    "player_id, limits_json, reality_minutes, session_started_ms, reality_due_ms, "
    "reality_pending, exclusion_kind, exclusion_since_ms, exclusion_until_ms, "
    "marketing_allowed, version, updated_at_ms"
)


#: Parsed limit documents by their JSON text. Every round reads the player's row, and most
#: players share a handful of documents (none, the profile's default): parsing each anew
#: cost about a tenth of a round's CPU. The text is the whole input and ``PlayerLimits`` is
#: never changed in place (a change makes a new one), so a cached answer is always right.
_limits_parsed = functools.lru_cache(maxsize=4096)(limits_from_json)


def _ms(moment: datetime | None) -> int | None:
    return None if moment is None else to_ms(moment)


def _at(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


def state_row(state: ResponsibleState, version: int, at: datetime) -> tuple[Any, ...]:
    """The row's values in :data:`COLUMNS` order."""
    exclusion = state.exclusion
    return (
        state.player_id,
        limits_to_json(state.limits),
        state.reality_minutes,
        _ms(state.session_started),
        _ms(state.reality_due),
        state.reality_pending,
        None if exclusion is None else exclusion.kind.value,
        None if exclusion is None else to_ms(exclusion.since),
        None if exclusion is None else to_ms(exclusion.until),
        state.marketing_allowed,
        version,
        to_ms(at),
    )


def state_from_row(row: Sequence[Any]) -> tuple[ResponsibleState, int]:
    """``(state, version)`` from a row in :data:`COLUMNS` order."""
    exclusion = None
    if row[6] is not None:
        exclusion = Exclusion(ExclusionKind(row[6]), from_ms(row[7]), from_ms(row[8]))
    state = ResponsibleState(
        player_id=row[0],
        limits=_limits_parsed(row[1]),
        reality_minutes=row[2],
        session_started=_at(row[3]),
        reality_due=_at(row[4]),
        reality_pending=bool(row[5]),
        exclusion=exclusion,
        marketing_allowed=bool(row[9]),
    )
    return state, int(row[10])
