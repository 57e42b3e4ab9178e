"""The vault: envelope encryption of personal data and secrets with AES-256-GCM.

Values are sealed under a *data key* (DEK, random 256 bits); data keys are stored in the
``data_keys`` table wrapped by the key-encryption key (KEK), which never enters the
database (see :mod:`croupier.adapters.vault.kek`). So a copy of the database alone (a
backup, a replica, a stolen disk) reveals no sealed value. Lookups by email go through a
*blind index*: HMAC-SHA256 under a separate index key, also wrapped by the KEK, so equal
emails meet in a unique index without the email being stored.

The newest data key seals new values; every data key stays to open older ones. A value
sealed under a key this process has not loaded (another process started one since) makes
it read the table again.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import time
from dataclasses import dataclass
from typing import Final, Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from croupier.adapters.vault.envelope import (
    KEY_BYTES,
    KEY_ID_BYTES,
    VaultError,
    kek_id,
    seal,
    split_sealed,
    unseal,
    unwrap_key,
    wrap_key,
)

__all__ = ["DATA", "INDEX", "INDEX_KEY_ID", "DataKeyStore", "Vault", "WrappedKey"]

DATA: Final = "data"
INDEX: Final = "index"
#: The one blind-index key has a fixed id, so two processes starting at once on a new
#: database agree on it (the second insert is ignored and it reads the first).
INDEX_KEY_ID: Final = "blind-index-1"


@dataclass(frozen=True, slots=True)
class WrappedKey:
    """A row of ``data_keys``: a key sealed under the KEK named ``kek_id``."""

    key_id: str
    purpose: str  # DATA or INDEX
    kek_id: str
    wrapped: bytes
    created_at_ms: int


class DataKeyStore(Protocol):
    """The ``data_keys`` table (SQLite or PostgreSQL), migrated by the ledger writer."""

    async def load(self) -> list[WrappedKey]:
        """Every key, oldest first."""

    async def insert(self, key: WrappedKey) -> None:
        """Add ``key``; nothing if its id exists already (the first writer wins)."""

    async def rewrap(self, keys: list[WrappedKey], *, old_kek_id: str) -> None:
        """In one transaction, replace every key's wrapping; refuse (``VaultError``) if a
        key is not wrapped by ``old_kek_id`` any more (a concurrent rotation)."""


class Vault:
    """Seal and open values bound to a context; compute blind indexes. Call :meth:`open`
    first (it loads the keys, making the first data key and the index key if none)."""

    def __init__(self, kek: bytes, store: DataKeyStore) -> None:
        if len(kek) != KEY_BYTES:
            raise VaultError(f"a KEK is {KEY_BYTES} bytes")
        self._kek = kek
        self.kek_id = kek_id(kek)
        self.store = store
        self._ciphers: dict[bytes, AESGCM] = {}
        self._active: bytes | None = None
        self._index_key = b""
        self._newest_ms = 0
        self._refresh_lock = asyncio.Lock()

    async def open(self) -> None:
        await self._load()
        if self._active is None:
            await self._insert_key(os.urandom(KEY_ID_BYTES).hex(), DATA)
        if not self._index_key:
            await self._insert_key(INDEX_KEY_ID, INDEX)
        await self._load()
        if self._active is None or not self._index_key:
            raise VaultError("the data keys did not load after creating them")

    @property
    def active_key_id(self) -> str:
        """The id (hex) of the data key that seals new values."""
        return self._require_active().hex()

    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        """``plaintext`` sealed under the active data key, bound to ``context`` (name the
        column and the row, e.g. ``players.email:<player id>``)."""
        key_id = self._require_active()
        return seal(self._ciphers[key_id], key_id, plaintext, context)

    async def decrypt(self, sealed: bytes, context: str) -> bytes:
        """The plaintext of ``sealed``, which must have been sealed with this ``context``:
        ``UndecryptableValue`` if it was tampered with or belongs to another row or column."""
        parts = split_sealed(bytes(sealed))
        cipher = self._ciphers.get(parts[0])
        if cipher is None:
            await self._refresh(parts[0])
            cipher = self._ciphers.get(parts[0])
            if cipher is None:
                raise VaultError(f"no data key {parts[0].hex()} in data_keys")
        return unseal(cipher, parts, context)

    def encrypt_text(self, text: str, context: str) -> bytes:
        return self.encrypt(text.encode(), context)

    async def decrypt_text(self, sealed: bytes, context: str) -> str:
        return (await self.decrypt(sealed, context)).decode()

    def blind_index(self, value: str, purpose: str) -> str:
        """HMAC-SHA256 of ``value`` (normalise it first) for ``purpose`` (e.g.
        ``players.email``), as hex: equal values give equal indexes, and without the index
        key nobody can test a guess against the database."""
        if not self._index_key:
            raise VaultError("the vault is not open")
        message = purpose.encode() + b"\x00" + value.encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()

    async def start_data_key(self) -> str:
        """Make a new data key, the one new values are sealed under from now on in this
        process (others pick it up when they restart). Returns its id."""
        key_id = os.urandom(KEY_ID_BYTES).hex()
        await self._insert_key(key_id, DATA)
        await self._load()
        return key_id

    # -- plumbing --------------------------------------------------------------------------
    def _require_active(self) -> bytes:
        if self._active is None:
            raise VaultError("the vault is not open")
        return self._active

    async def _insert_key(self, key_id: str, purpose: str) -> None:
        wrapped = wrap_key(self._kek, key_id, purpose, os.urandom(KEY_BYTES))
        # Keys are ordered by creation: a new key must come after every loaded one, even
        # within the same millisecond, to be the one that seals.
        at_ms = max(time.time_ns() // 1_000_000, self._newest_ms + 1)
        await self.store.insert(WrappedKey(key_id, purpose, self.kek_id, wrapped, at_ms))

    async def _refresh(self, missing: bytes) -> None:
        async with self._refresh_lock:
            if missing not in self._ciphers:
                await self._load()

    async def _load(self) -> None:
        ciphers: dict[bytes, AESGCM] = {}
        active: bytes | None = None
        for row in await self.store.load():
            self._newest_ms = max(self._newest_ms, row.created_at_ms)
            if row.kek_id != self.kek_id:
                raise VaultError(
                    f"data key {row.key_id} is wrapped by KEK {row.kek_id}, but the configured "
                    f"KEK is {self.kek_id}: wrong CROUPIER_KEY_FILE or CROUPIER_KEK? "
                    "(`croupier keys status` shows both)"
                )
            key = unwrap_key(self._kek, row.key_id, row.purpose, row.wrapped)
            if row.purpose == INDEX:
                self._index_key = key
            else:
                key_id = bytes.fromhex(row.key_id)
                ciphers[key_id] = AESGCM(key)
                active = key_id  # rows come oldest first: the last is the newest
        self._ciphers, self._active = ciphers, active
