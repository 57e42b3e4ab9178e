"""Jurisdiction profiles on disk: ``<profile_id>.toml`` files, read like the games.

The profiles come from folders read in order, a later one taking precedence:

1. the shipped profiles, package data in ``croupier/data/jurisdictions/`` (read with
   :mod:`importlib.resources`);
2. the operator's folder named by ``CROUPIER_JURISDICTIONS_DIR``, if set: a ``<id>.toml``
   there adds a profile, or replaces the shipped file of that id whole (a regulator's rules
   are one unit: never merged key by key).

Every file is parsed and checked at start (:func:`load_profiles`), so an inconsistent profile
stops the server before it takes a bet, with a message naming the file and the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final

from croupier.domain.compliance.profile import Profile, parse_profile
from croupier.domain.errors import JurisdictionDefinitionError

__all__ = ["load_profiles", "shipped_jurisdictions"]

_SUFFIX: Final = ".toml"


def shipped_jurisdictions() -> Traversable:
    """The folder of the profiles that ship inside the package."""
    return resources.files("croupier").joinpath("data").joinpath("jurisdictions")


def load_profiles(overlay: Path | None = None) -> dict[str, Profile]:
    """Every profile, by id: the shipped ones overlaid by the operator's folder ``overlay``."""
    return load_profile_folders(
        (shipped_jurisdictions(),) if overlay is None else (shipped_jurisdictions(), overlay)
    )


def load_profile_folders(folders: Sequence[Traversable]) -> dict[str, Profile]:
    """Every profile in ``folders``, a later folder's file replacing an earlier one's."""
    if not folders:
        raise ValueError("load_profile_folders needs at least one folder")
    sources: dict[str, Traversable] = {}
    for folder in folders:
        for source in _files_in(folder):
            sources[source.name.removesuffix(_SUFFIX)] = source
    profiles = {}
    for profile_id, source in sorted(sources.items()):
        profile = parse_profile(_read_toml(source), where=str(source))
        # A copied file keeping its old id would apply one regulator's rules under another's name.
        if profile.id != profile_id:
            raise JurisdictionDefinitionError(
                f"{source}: id: {profile.id!r} is not the file's name {profile_id!r}"
            )
        profiles[profile_id] = profile
    if not profiles:
        raise JurisdictionDefinitionError(f"no jurisdiction profiles in {folders[-1]}")
    return profiles


def _files_in(folder: Traversable) -> list[Traversable]:
    try:
        return [
            entry for entry in folder.iterdir() if entry.is_file() and entry.name.endswith(_SUFFIX)
        ]
    except OSError as error:
        raise JurisdictionDefinitionError(f"{folder}: cannot list profiles: {error}") from None


def _read_toml(source: Traversable) -> dict[str, object]:
    try:
        return tomllib.loads(source.read_text(encoding="utf-8"))
    except OSError as error:
        raise JurisdictionDefinitionError(f"{source}: {error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise JurisdictionDefinitionError(f"{source}: not valid TOML: {error}") from None
