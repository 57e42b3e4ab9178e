"""The envelope format: how a value is sealed under a data key, and a data key under the
key-encryption key (KEK). AES-256-GCM throughout (``cryptography``).

A sealed value is::

    version (1 byte, 0x01) | data key id (8 bytes) | nonce (12 bytes) | ciphertext + tag (16)

Its associated data is the version, the key id and the caller's *context* (for example
``players.email:<player id>``): GCM authenticates it without storing it, so a ciphertext
copied onto another row or column does not decrypt there. A wrapped data key is
``nonce | ciphertext + tag`` under the KEK, its associated data naming the key id and its
purpose, so a wrapped key cannot be passed off as another.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "FORMAT_VERSION",
    "KEY_BYTES",
    "KEY_ID_BYTES",
    "InvalidTag",
    "SealedParts",
    "UndecryptableValue",
    "VaultError",
    "kek_id",
    "seal",
    "split_sealed",
    "unseal",
    "unwrap_key",
    "wrap_key",
]

FORMAT_VERSION: Final = 1
KEY_BYTES: Final = 32  # AES-256
KEY_ID_BYTES: Final = 8
_NONCE_BYTES: Final = 12  # 96 bits: GCM's native nonce; random, so < 2**32 values per key
_TAG_BYTES: Final = 16
_HEADER_BYTES: Final = 1 + KEY_ID_BYTES + _NONCE_BYTES


class VaultError(RuntimeError):
    """The vault cannot do what was asked (a missing or wrong key, a damaged value)."""


class UndecryptableValue(VaultError):
    """A sealed value failed authentication (tampered, moved to another row or column, or
    sealed under another key); its ``__cause__`` is ``cryptography``'s ``InvalidTag``."""


SealedParts = tuple[bytes, bytes, bytes]  # key id, nonce, ciphertext + tag


def kek_id(kek: bytes) -> str:
    """A short public name of a KEK (HMAC of a label under it): which KEK wrapped a key."""
    return hmac.new(kek, b"croupier kek id", hashlib.sha256).hexdigest()[:16]


def _key_aad(key_id: str, purpose: str) -> bytes:
    return f"croupier data key|{key_id}|{purpose}".encode()


def wrap_key(kek: bytes, key_id: str, purpose: str, key: bytes) -> bytes:
    """``key`` sealed under the KEK, bound to its id and purpose."""
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, key, _key_aad(key_id, purpose))


def unwrap_key(kek: bytes, key_id: str, purpose: str, wrapped: bytes) -> bytes:
    """The key :func:`wrap_key` sealed; :class:`UndecryptableValue` under another KEK."""
    try:
        key = AESGCM(kek).decrypt(
            wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], _key_aad(key_id, purpose)
        )
    except InvalidTag as error:
        raise UndecryptableValue(f"data key {key_id} does not unwrap under this KEK") from error
    if len(key) != KEY_BYTES:
        raise VaultError(f"data key {key_id} is {len(key)} bytes, not {KEY_BYTES}")
    return key


def _value_aad(key_id: bytes, context: str) -> bytes:
    return bytes([FORMAT_VERSION]) + key_id + b"|" + context.encode()


def seal(aead: AESGCM, key_id: bytes, plaintext: bytes, context: str) -> bytes:
    """``plaintext`` sealed under data key ``key_id`` (whose cipher is ``aead``)."""
    nonce = os.urandom(_NONCE_BYTES)
    body = aead.encrypt(nonce, plaintext, _value_aad(key_id, context))
    return bytes([FORMAT_VERSION]) + key_id + nonce + body


def split_sealed(sealed: bytes) -> SealedParts:
    """The key id, nonce and body of a sealed value (:class:`VaultError` if malformed)."""
    if len(sealed) < _HEADER_BYTES + _TAG_BYTES or sealed[0] != FORMAT_VERSION:
        raise VaultError("not a sealed value of format 1")
    return (
        sealed[1 : 1 + KEY_ID_BYTES],
        sealed[1 + KEY_ID_BYTES : _HEADER_BYTES],
        sealed[_HEADER_BYTES:],
    )


def unseal(aead: AESGCM, parts: SealedParts, context: str) -> bytes:
    """The plaintext of a sealed value split by :func:`split_sealed`."""
    key_id, nonce, body = parts
    try:
        return aead.decrypt(nonce, body, _value_aad(key_id, context))
    except InvalidTag as error:
        raise UndecryptableValue(
            f"a value sealed under data key {key_id.hex()} failed authentication for "
            f"context {context.split(':', 1)[0]!r}: tampered, moved or sealed elsewhere"
        ) from error
