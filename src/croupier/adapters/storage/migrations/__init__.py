"""Versioned schema migrations: ``<dialect>/NNNN_name.sql``, applied in order, each once."""

from __future__ import annotations

from importlib import resources

__all__ = ["migration_scripts"]


def migration_scripts(dialect: str) -> list[tuple[int, str]]:
    """``(version, sql)`` pairs for ``sqlite`` or ``postgres``, sorted by version."""
    folder = resources.files(__package__).joinpath(dialect)
    scripts = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            scripts.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(scripts)
