"""A ``data_keys`` table in memory: the fake of :class:`~croupier.adapters.vault.DataKeyStore`
for unit tests and tools that need a vault without a database."""

from __future__ import annotations

from dataclasses import replace

from croupier.adapters.vault.envelope import VaultError
from croupier.adapters.vault.vault import WrappedKey

__all__ = ["MemoryDataKeyStore"]


class MemoryDataKeyStore:
    """Implements ``DataKeyStore`` in a dict; ``rows`` is open to tests that tamper."""

    def __init__(self) -> None:
        self.rows: dict[str, WrappedKey] = {}

    async def load(self) -> list[WrappedKey]:
        return sorted(self.rows.values(), key=lambda row: (row.created_at_ms, row.key_id))

    async def insert(self, key: WrappedKey) -> None:
        self.rows.setdefault(key.key_id, key)

    async def rewrap(self, keys: list[WrappedKey], *, old_kek_id: str) -> None:
        if any(self.rows[key.key_id].kek_id != old_kek_id for key in keys):
            raise VaultError("a data key changed during the rotation")
        for key in keys:
            self.rows[key.key_id] = replace(key)
