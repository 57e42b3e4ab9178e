"""Slot tournaments on disk: ``<id>.toml`` files in the operator's folder
(``CROUPIER_TOURNAMENTS_DIR``), read and checked at start (a bad file stops the server with
its name and the key at fault), as the leaderboards' files are.

The keys are the back office's (docs/engagement.md, "Slot tournaments"), except that the time
box may be written as TOML date-times with an offset, ``starts_at`` and ``ends_at``, instead
of ``starts_at_ms`` and ``ends_at_ms``::

    id = "weekend-lotus"
    starts_at = 2026-12-12T00:00:00Z
    ends_at = 2026-12-14T00:00:00Z
    currency = "EUR"
    games = ["lotus-20"]
    metric = "total_win"
    operator = "incr"
    entrants_max = 1000
    attempts_max = 50
    fee_minor = 500
    prizes = [10000, 5000, 2500]
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

from croupier.domain.engagement.tournaments import TournamentDefinition, parse_tournament
from croupier.domain.errors import InvalidInput

__all__ = ["load_tournaments"]

_FILES_MAX = 1000


def _ms(raw: dict[str, Any], key: str, where: str) -> None:
    """``key`` (a TOML date-time with an offset) as ``key_ms``, in place."""
    if key not in raw:
        return
    value = raw.pop(key)
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput(f"{where}: {key} must be a date-time with an offset (…Z)")
    if f"{key}_ms" in raw:
        raise InvalidInput(f"{where}: give {key} or {key}_ms, not both")
    raw[f"{key}_ms"] = int(value.timestamp() * 1000)


def load_tournaments(folder: Path) -> dict[str, TournamentDefinition]:
    """Every ``<id>.toml`` tournament of ``folder``, by id, checked."""
    found: dict[str, TournamentDefinition] = {}
    sources = sorted(path for path in folder.iterdir() if path.suffix == ".toml")
    if len(sources) > _FILES_MAX:
        raise InvalidInput(f"{folder}: more than {_FILES_MAX} tournament files")
    for source in sources:
        where = str(source)
        try:
            raw = tomllib.loads(source.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise InvalidInput(f"{where}: not TOML: {error}") from None
        _ms(raw, "starts_at", where)
        _ms(raw, "ends_at", where)
        definition = parse_tournament(raw, where=where)
        if definition.id != source.stem:
            raise InvalidInput(f"{where}: id {definition.id!r} is not the file's name")
        found[definition.id] = definition
    return found
