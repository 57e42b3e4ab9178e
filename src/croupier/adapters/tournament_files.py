"""The shipped tournament structures: package data in ``croupier/data/games/tournaments/``.

Reading files is IO, so it lives here; parsing and checking is
:mod:`croupier.domain.poker.tournament_structure`'s job. The folder is a sub-directory of the
games folder on purpose: the game loader reads only the files directly in ``data/games``.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from croupier.domain.errors import UnknownGame
from croupier.domain.poker.tournament_structure import TournamentStructure, parse_structure

__all__ = ["load_shipped_structure", "shipped_structure_ids", "shipped_tournaments"]

_SUFFIX = ".toml"


def shipped_tournaments() -> Traversable:
    """The folder of the tournament structures that ship inside the package."""
    return resources.files("croupier").joinpath("data", "games", "tournaments")


def shipped_structure_ids() -> list[str]:
    """Ids (file names without ``.toml``) of the shipped structures, sorted."""
    return sorted(
        entry.name.removesuffix(_SUFFIX)
        for entry in shipped_tournaments().iterdir()
        if entry.is_file() and entry.name.endswith(_SUFFIX)
    )


def load_shipped_structure(structure_id: str) -> TournamentStructure:
    """Read and check one shipped structure; ``UnknownGame`` if there is none by that id."""
    if structure_id not in shipped_structure_ids():
        raise UnknownGame(f"no tournament structure {structure_id!r}")
    text = shipped_tournaments().joinpath(structure_id + _SUFFIX).read_text(encoding="utf-8")
    return parse_structure(text)
