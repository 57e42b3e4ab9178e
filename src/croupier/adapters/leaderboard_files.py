"""Leaderboard definitions on disk: ``<id>.toml`` files shipped in
``croupier/data/leaderboards/``, read and checked at start (a bad file stops the server with
its name and the key at fault)."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from importlib import resources

from croupier.domain.engagement.boards import LeaderboardDefinition, parse_leaderboard
from croupier.domain.errors import InvalidInput
from croupier.services.leaderboards.periods import check_schedule

__all__ = ["load_leaderboards"]


def load_leaderboards() -> dict[str, LeaderboardDefinition]:
    """Every shipped leaderboard, by id."""
    folder = resources.files("croupier").joinpath("data").joinpath("leaderboards")
    found = {}
    for source in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if not source.name.endswith(".toml"):
            continue
        where = str(source)
        try:
            raw = tomllib.loads(source.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise InvalidInput(f"{where}: not TOML: {error}") from None
        definition = parse_leaderboard(raw, where=where)
        if definition.id != source.name.removesuffix(".toml"):
            raise InvalidInput(f"{where}: id {definition.id!r} is not the file's name")
        check_schedule(definition.reset, where=where, now=datetime.now(UTC))
        found[definition.id] = definition
    return found
