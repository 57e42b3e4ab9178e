"""Versioned schema migrations: ``<dialect>/NNNN_name.sql``, applied in order, each once."""

from __future__ import annotations

from importlib import resources

from croupier.domain.errors import SchemaNotReady

__all__ = ["SchemaNotReady", "check_schema_version", "migration_scripts"]


def migration_scripts(dialect: str) -> list[tuple[int, str]]:
    """``(version, sql)`` pairs for ``sqlite`` or ``postgres``, sorted by version."""
    folder = resources.files(__package__).joinpath(dialect)
    scripts = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            scripts.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(scripts)


def check_schema_version(dialect: str, found: int | None, where: str) -> None:
    """Readers never migrate (only the writer does): refuse a schema they cannot read, so a
    mistyped database URL is an error rather than an empty ledger that verifies."""
    needed = migration_scripts(dialect)[-1][0]
    if found is None:
        raise SchemaNotReady(f"no Croupier ledger in {where}: check the database URL")
    if found < needed:
        raise SchemaNotReady(
            f"the ledger in {where} has schema version {found}, this Croupier reads {needed}: "
            "start `croupier serve` (the writer) once to migrate it"
        )
    if found > needed:
        raise SchemaNotReady(
            f"the ledger in {where} has schema version {found}, newer than this Croupier "
            f"({needed}): upgrade Croupier"
        )
