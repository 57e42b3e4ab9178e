"""Game definitions on disk: ``<game_id>.toml`` files and the ``catalogue.toml`` that lists
them. Reading files is IO, so it lives here; parsing and validating the data is the domain's
job, and reconciling the catalogue with the files is :mod:`croupier.services.catalogue`'s.

The definitions come from folders read in order, a later one taking precedence:

1. the shipped games, package data in ``croupier/data/games/`` (inside the installed wheel,
   read with :mod:`importlib.resources`, so nothing is looked up beside a source tree);
2. the operator's folder named by ``CROUPIER_GAMES_DIR``, if set: a ``<game_id>.toml`` there
   adds a game, or replaces the shipped file of that id whole (never merged key by key: a
   game's maths is one unit); its ``catalogue.toml`` adds entries or replaces shipped ones by
   id, and must list every game file beside it (see :class:`CatalogueFile`).
"""

from __future__ import annotations

import copy
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Final

from croupier.domain.errors import GameDefinitionError, UnknownGame

__all__ = [
    "CATALOGUE_FILE",
    "CatalogueFile",
    "GameFiles",
    "configured_game_files",
    "game_ids",
    "load_game_data",
    "shipped_games",
]

#: The catalogue's own file in a games folder (it is not a game definition).
CATALOGUE_FILE: Final = "catalogue.toml"
_SUFFIX: Final = ".toml"
_GAME_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}\Z")


def shipped_games() -> Traversable:
    """The folder of the games that ship inside the package."""
    return resources.files("croupier").joinpath("data").joinpath("games")


@dataclass(frozen=True, slots=True)
class CatalogueFile:
    """One folder's catalogue: where it is, its parsed ``[games]`` table (``None`` when the
    folder has no ``catalogue.toml``) and the ids of the game files beside it, which the
    catalogue must all list (so a replaced game never shows the shipped game's figures)."""

    where: str
    entries: object
    game_ids: frozenset[str]


class GameFiles:
    """Game definitions read from ``folders``, a later folder's file replacing an earlier
    one's of the same id."""

    def __init__(self, folders: Sequence[Traversable]) -> None:
        if not folders:
            raise ValueError("GameFiles needs at least one folder")
        self.folders = tuple(folders)
        # Each file is read once: the catalogue certifies exactly the data that is played,
        # even if a file changes on disk while the server starts.
        self._loaded: dict[str, dict[str, Any]] = {}

    @classmethod
    def shipped(cls, overlay: Path | None = None) -> GameFiles:
        """The shipped games, overlaid by the operator's folder ``overlay`` when given."""
        return cls((shipped_games(),) if overlay is None else (shipped_games(), overlay))

    def game_ids(self) -> list[str]:
        """Every game id with a definition file in any folder, sorted."""
        return sorted(set().union(*(_ids_in(folder) for folder in self.folders)))

    def load(self, game_id: str) -> dict[str, Any]:
        """The parsed TOML of one game from the last folder that has it; ``UnknownGame`` or
        ``GameDefinitionError`` (naming the file) on trouble, e.g. an ``id`` in the file
        that is not its name."""
        if not _GAME_ID.match(game_id):
            raise UnknownGame(f"unknown game {game_id!r}")
        if game_id not in self._loaded:
            self._loaded[game_id] = self._read(game_id)
        return copy.deepcopy(self._loaded[game_id])  # callers may change their copy

    def _read(self, game_id: str) -> dict[str, Any]:
        for folder in reversed(self.folders):
            source = folder.joinpath(game_id + _SUFFIX)
            if source.is_file():
                data = _read_toml(source)
                # A copied file keeping its old id would play (and record rounds) as another game.
                if data.get("id", game_id) != game_id:
                    raise GameDefinitionError(
                        f"{source}: id {data['id']!r} is not the file's name {game_id!r}"
                    )
                return data
        raise UnknownGame(f"unknown game {game_id!r} (no {game_id}{_SUFFIX} in {self._where()})")

    def catalogues(self) -> list[CatalogueFile]:
        """Each folder's catalogue, in folder order (a later entry replaces an earlier one)."""
        found = []
        for folder in self.folders:
            source = folder.joinpath(CATALOGUE_FILE)
            entries = _read_toml(source).get("games", {}) if source.is_file() else None
            found.append(CatalogueFile(str(source), entries, frozenset(_ids_in(folder))))
        return found

    def _where(self) -> str:
        return " or ".join(str(folder) for folder in self.folders)


def _ids_in(folder: Traversable) -> set[str]:
    try:
        names = [entry.name for entry in folder.iterdir() if entry.is_file()]
    except OSError as error:
        raise GameDefinitionError(f"{folder}: cannot list game files: {error}") from None
    return {
        name.removesuffix(_SUFFIX)
        for name in names
        if name.endswith(_SUFFIX) and name != CATALOGUE_FILE
    }


def _read_toml(source: Traversable) -> dict[str, Any]:
    try:
        return tomllib.loads(source.read_text(encoding="utf-8"))
    except OSError as error:
        raise GameDefinitionError(f"{source}: {error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise GameDefinitionError(f"{source}: not valid TOML: {error}") from None


def configured_game_files(env: Mapping[str, str] | None = None) -> GameFiles:
    """The shipped games overlaid by ``$CROUPIER_GAMES_DIR``, checked as ``load_settings``
    checks it (a server takes the folder from its settings; the tools use this)."""
    from croupier.config import ConfigError, games_dir_setting  # config imports the services

    try:
        overlay = games_dir_setting(os.environ if env is None else env)
    except ConfigError as error:
        raise GameDefinitionError(str(error)) from None
    return GameFiles.shipped(overlay)


def game_ids() -> list[str]:
    """Every configured game id with a definition file, sorted."""
    return configured_game_files().game_ids()


def load_game_data(game_id: str) -> dict[str, Any]:
    """The parsed TOML of one configured game (see :meth:`GameFiles.load`)."""
    return configured_game_files().load(game_id)
