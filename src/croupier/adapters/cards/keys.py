"""Where the card key-encryption key comes from: ``CROUPIER_CARD_KEK``, a key file
(``CROUPIER_CARD_KEY_FILE``), or, for the embedded SQLite default only, a key file generated
beside the database on first start (``<database>.cardkey``). PostgreSQL refuses to start
without one. It is a key of its own (PCI DSS 3.6.1: keys used for one purpose): the data
vault's KEK (``CROUPIER_KEK``) opens no card, and the two may not be equal."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from croupier.adapters.vault.envelope import KEY_BYTES
from croupier.adapters.vault.kek import Kek, load_kek, read_key_file, write_key_file
from croupier.config import ConfigError, Settings

__all__ = ["default_card_key_file", "load_card_kek"]

_HINT = "make one with: python -c 'import secrets; print(secrets.token_hex(32))'"


def default_card_key_file(database_url: str) -> Path | None:
    """``croupier.db`` → ``croupier.db.cardkey``; ``None`` for PostgreSQL (no default)."""
    if not database_url.startswith("sqlite:///"):
        return None
    database = Path(database_url.removeprefix("sqlite:///"))
    return database.with_name(database.name + ".cardkey")


def _configured(settings: Settings) -> Kek:
    cards = settings.cards
    if cards.kek is not None:
        return Kek(cards.kek, "CROUPIER_CARD_KEK")
    if cards.key_file is not None:
        return Kek(read_key_file(cards.key_file, "CROUPIER_CARD_KEY_FILE"), str(cards.key_file))
    path = default_card_key_file(settings.database_url)
    if path is None:
        raise ConfigError(
            "PostgreSQL needs a card key-encryption key, apart from the data vault's: set "
            "CROUPIER_CARD_KEY_FILE (a file of mode 0600 holding 32 bytes as hex) or "
            f"CROUPIER_CARD_KEK (docs/security.md, 'Card data'); {_HINT}"
        )
    if not path.exists():
        try:
            write_key_file(path, os.urandom(KEY_BYTES))
        except FileExistsError:  # another process made it first: use theirs
            return Kek(read_key_file(path, "CROUPIER_CARD_KEY_FILE"), str(path))
        print(
            f"croupier: generated the card key-encryption key {path.resolve()} (mode 0600). "
            "Keep it, and back it up apart from the database and from the data vault's key: "
            "without it the stored cards cannot be charged (docs/security.md).",
            file=sys.stderr,
        )
    return Kek(read_key_file(path, "CROUPIER_CARD_KEY_FILE"), str(path))


def load_card_kek(settings: Settings) -> Kek:
    """The configured card KEK (``ConfigError`` if missing on PostgreSQL, or equal to the
    data vault's KEK: one stolen key must not open both)."""
    kek = _configured(settings)
    if kek.key == load_kek(settings).key:
        raise ConfigError(
            f"the card key-encryption key ({kek.source}) is the data vault's: give cards a "
            f"key of their own; {_HINT}"
        )
    return kek
