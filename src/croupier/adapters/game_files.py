"""Game definitions on disk: ``games/<game_id>.toml``. Reading files is IO, so it lives here;
parsing and validating the data is the domain's job.

The directory is ``$CROUPIER_GAMES_DIR`` when set, else the ``games/`` folder of the source
checkout.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from croupier.domain.errors import GameDefinitionError, UnknownGame

__all__ = ["game_ids", "games_dir", "load_game_data"]

_GAME_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}\Z")


def games_dir() -> Path:
    configured = os.environ.get("CROUPIER_GAMES_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "games"


def game_ids(directory: Path | None = None) -> list[str]:
    """Every game id with a definition file, sorted (``catalogue.toml`` is not a game)."""
    directory = directory or games_dir()
    return sorted(path.stem for path in directory.glob("*.toml") if path.stem != "catalogue")


def load_game_data(game_id: str, directory: Path | None = None) -> dict[str, Any]:
    """The parsed TOML of one game; ``UnknownGame`` or ``GameDefinitionError`` on trouble."""
    if not _GAME_ID.match(game_id):
        raise UnknownGame(f"unknown game {game_id!r}")
    path = (directory or games_dir()) / f"{game_id}.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UnknownGame(f"unknown game {game_id!r} (no {path})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise GameDefinitionError(f"{path}: not valid TOML: {error}") from None
    return data
