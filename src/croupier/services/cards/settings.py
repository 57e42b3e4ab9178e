"""The card vault's settings, read from ``CROUPIER_*`` variables by ``croupier.config`` and
checked at start (docs/security.md, "Card data").

===============================  =========================================================
``CROUPIER_CARD_KEY_FILE``       the card key-encryption key: a file of mode 0600 holding
                                 32 bytes as hex. SQLite without one: ``<database>.cardkey``
                                 is generated; PostgreSQL refuses to start without one.
``CROUPIER_CARD_KEK``            or the key itself (hex or base64), not both
``CROUPIER_CARD_BINS_FILE``      a BIN file of the same format as the shipped one
                                 (``croupier/data/card-bins.txt``), replacing it
``CROUPIER_CARDS_PER_PLAYER``    cards a player may keep at once (10; 1 to 100)
===============================  =========================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CardSettings", "card_settings"]


@dataclass(frozen=True, slots=True)
class CardSettings:
    key_file: Path | None = None
    kek: bytes | None = field(default=None, repr=False)
    bins_file: Path | None = None
    cards_per_player_max: int = 10


def _path(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name, "").strip()
    return Path(raw).expanduser().absolute() if raw else None


def card_settings(env: Mapping[str, str]) -> CardSettings:
    """The card settings of ``env`` (``ConfigError`` naming the variable when one is bad)."""
    # Imported here: croupier.config imports this module while it loads.
    from croupier.adapters.vault.kek import parse_key_text
    from croupier.config import ConfigError

    key_file, raw_key = _path(env, "CROUPIER_CARD_KEY_FILE"), env.get("CROUPIER_CARD_KEK", "")
    if key_file is not None and raw_key.strip():
        raise ConfigError("set CROUPIER_CARD_KEY_FILE or CROUPIER_CARD_KEK, not both")
    kek = parse_key_text(raw_key, "CROUPIER_CARD_KEK") if raw_key.strip() else None
    raw_max = env.get("CROUPIER_CARDS_PER_PLAYER", "10").strip()
    if not raw_max.isdigit() or not 1 <= int(raw_max) <= 100:
        raise ConfigError(f"CROUPIER_CARDS_PER_PLAYER must be 1 to 100, got {raw_max!r}")
    return CardSettings(key_file, kek, _path(env, "CROUPIER_CARD_BINS_FILE"), int(raw_max))
