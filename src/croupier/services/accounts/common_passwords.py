"""The bundled list of common passwords (``croupier/data/common-passwords.txt``)."""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = ["load_common_passwords"]

_RESOURCE = "data/common-passwords.txt"


@cache
def load_common_passwords() -> frozenset[str]:
    """Every password of the bundled list, lower-cased. Lines starting ``#`` are comments."""
    text = resources.files("croupier").joinpath(_RESOURCE).read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )
