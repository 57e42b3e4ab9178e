"""KEK rotation: every wrapped key re-wrapped under a new KEK in one transaction, the
sealed values untouched (they are sealed under data keys, which do not change).

The new key file is written before the database changes and the old one is kept as a
dated backup, so at every instant one of the two files opens the data keys:

1. the new KEK goes to ``<file>.new`` (0600), the old file is copied to
   ``<file>.<UTC time>.bak`` (0600);
2. one transaction re-wraps every row of ``data_keys`` (refused if any row is not wrapped
   by the old KEK: a concurrent rotation);
3. ``<file>.new`` replaces ``<file>`` (an atomic rename).

A crash between 2 and 3 leaves the database wrapped by ``<file>.new``: move it over
``<file>``; ``croupier keys status`` says which KEK the rows need.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from croupier.adapters.vault.envelope import KEY_BYTES, VaultError, kek_id, unwrap_key, wrap_key
from croupier.adapters.vault.kek import write_key_file
from croupier.adapters.vault.vault import DataKeyStore, WrappedKey

__all__ = ["KekRotation", "rewrap_keys", "rotate_key_file"]


@dataclass(frozen=True, slots=True)
class KekRotation:
    """What a rotation did: keys re-wrapped, the new KEK's id, where the key files are."""

    rewrapped: int
    new_kek_id: str
    key_file: Path
    backup: Path | None


async def rewrap_keys(store: DataKeyStore, old: bytes, new: bytes) -> int:
    """Re-wrap every key of ``store`` from ``old`` to ``new`` (one transaction)."""
    old_id, new_id = kek_id(old), kek_id(new)
    if old_id == new_id:
        raise VaultError("the new KEK is the old one")
    rows = await store.load()
    rewrapped = []
    for row in rows:
        if row.kek_id != old_id:
            raise VaultError(f"data key {row.key_id} is wrapped by KEK {row.kek_id}, not {old_id}")
        key = unwrap_key(old, row.key_id, row.purpose, row.wrapped)
        wrapped = wrap_key(new, row.key_id, row.purpose, key)
        rewrapped.append(WrappedKey(row.key_id, row.purpose, new_id, wrapped, row.created_at_ms))
    await store.rewrap(rewrapped, old_kek_id=old_id)
    return len(rewrapped)


async def rotate_key_file(
    store: DataKeyStore, old: bytes, *, key_file: Path | None, new_key_file: Path | None
) -> KekRotation:
    """A new random KEK: written to ``new_key_file`` if given (the old file is left as it
    is: point the settings at the new one), else in place of ``key_file`` with a dated
    backup of the old one."""
    new = os.urandom(KEY_BYTES)
    if new_key_file is not None:
        write_key_file(new_key_file, new)
        count = await rewrap_keys(store, old, new)
        return KekRotation(count, kek_id(new), new_key_file, None)
    if key_file is None:
        raise VaultError(
            "the KEK comes from CROUPIER_KEK: give --new-key-file, then put the new key in "
            "CROUPIER_KEK (or point CROUPIER_KEY_FILE at the file)"
        )
    pending = key_file.with_name(key_file.name + ".new")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backup = key_file.with_name(f"{key_file.name}.{stamp}.bak")
    write_key_file(pending, new)
    shutil.copyfile(key_file, backup)
    os.chmod(backup, 0o600)
    count = await rewrap_keys(store, old, new)
    os.replace(pending, key_file)
    return KekRotation(count, kek_id(new), key_file, backup)
