"""Where the key-encryption key (KEK) comes from: ``CROUPIER_KEK``, a key file
(``CROUPIER_KEY_FILE``), or, for the embedded SQLite default only, a key file generated
beside the database on first start. PostgreSQL refuses to start without one configured:
a production database must never get a key nobody chose to keep.

A key file holds the 32 key bytes as 64 hex digits (a trailing newline is fine) and must be
readable by its owner alone (mode 0600 or 0400): a file the group or the world can read is
refused, the way ``ssh`` refuses such a private key.
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from croupier.adapters.vault.envelope import KEY_BYTES
from croupier.config import ConfigError, Settings

__all__ = [
    "Kek",
    "default_key_file",
    "load_kek",
    "parse_key_text",
    "read_key_file",
    "write_key_file",
]

_HINT = "make one with: python -c 'import secrets; print(secrets.token_hex(32))'"


@dataclass(frozen=True, slots=True)
class Kek:
    """A KEK and where it came from (a setting's name or a file's path), for messages."""

    key: bytes
    source: str

    def __repr__(self) -> str:  # never the key
        return f"Kek(source={self.source!r})"


def parse_key_text(text: str, name: str) -> bytes:
    """32 bytes from hex or base64 text; :class:`ConfigError` naming ``name`` otherwise."""
    raw = text.strip()
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        try:
            key = base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=b"-_", validate=True)
        except (ValueError, binascii.Error):
            raise ConfigError(f"{name} must be 32 bytes as hex or base64; {_HINT}") from None
    if len(key) != KEY_BYTES:
        raise ConfigError(f"{name} must be exactly {KEY_BYTES} bytes, got {len(key)}; {_HINT}")
    return key


def read_key_file(path: Path, name: str = "CROUPIER_KEY_FILE") -> bytes:
    """The KEK in ``path``, refused when missing or readable by anyone but its owner;
    ``name``: the setting that named the file, for messages."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ConfigError(f"{name} {path} does not exist") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{name} {path} is readable by others (mode {stat.S_IMODE(mode):04o}): chmod 600 {path}"
        )
    return parse_key_text(path.read_text(encoding="ascii"), f"{name} {path}")


def write_key_file(path: Path, key: bytes) -> None:
    """Write ``key`` to a new file of mode 0600 (never over an existing file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (key.hex() + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


def default_key_file(database_url: str) -> Path | None:
    """The generated key file of a SQLite database (``croupier.db`` → ``croupier.db.key``);
    ``None`` for PostgreSQL, which has no default."""
    if not database_url.startswith("sqlite:///"):
        return None
    database = Path(database_url.removeprefix("sqlite:///"))
    return database.with_name(database.name + ".key")


def load_kek(settings: Settings) -> Kek:
    """The configured KEK; for SQLite without one, the key file beside the database,
    generated (and announced on stderr) on first start."""
    if settings.kek is not None:
        return Kek(settings.kek, "CROUPIER_KEK")
    if settings.key_file is not None:
        return Kek(read_key_file(settings.key_file), str(settings.key_file))
    path = default_key_file(settings.database_url)
    if path is None:
        raise ConfigError(
            "PostgreSQL needs a key-encryption key for the players' personal data and the "
            "active server seeds: set CROUPIER_KEY_FILE (a file of mode 0600 holding 32 bytes "
            f"as hex) or CROUPIER_KEK (docs/security.md); {_HINT}"
        )
    if not path.exists():
        try:
            write_key_file(path, os.urandom(KEY_BYTES))
        except FileExistsError:  # another process made it first: use theirs
            return Kek(read_key_file(path), str(path))
        print(
            f"croupier: generated the key-encryption key {path.resolve()} (mode 0600). Keep "
            "it, and back it up apart from the database: without it the players' personal "
            "data cannot be read (docs/security.md).",
            file=sys.stderr,
        )
    return Kek(read_key_file(path), str(path))
