"""Per-card envelope encryption: each card gets a fresh AES-256-GCM data key, wrapped by the
card KEK and stored in the card's own row, so deleting the row destroys the only wrapped copy
of that key in the live database (docs/security.md, "Card data": what this does and does not
reach). The format is the data vault's (:mod:`croupier.adapters.vault.envelope`); the
associated data binds each value to its player and token, and the wrapped key to them too.
"""

from __future__ import annotations

import os

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
from croupier.services.cards.ports import CardRow, SealedCard

__all__ = ["CardCipher", "card_key_purpose"]


def card_key_purpose(player_id: str, token: str) -> str:
    """The associated data of a card's wrapped key: it unwraps for this player and card only."""
    return f"card|{player_id}|{token}"


def _context(column: str, player_id: str, token: str) -> str:
    return f"cards.{column}:{player_id}:{token}"


class CardCipher:
    """Implements ``croupier.services.cards.ports.CardSealer`` under one card KEK."""

    def __init__(self, kek: bytes) -> None:
        if len(kek) != KEY_BYTES:
            raise VaultError(f"a KEK is {KEY_BYTES} bytes")
        self._kek = kek
        self.kek_id = kek_id(kek)

    def __repr__(self) -> str:  # never the key
        return f"CardCipher(kek_id={self.kek_id!r})"

    def seal(self, player_id: str, token: str, *, pan: str, details: bytes) -> SealedCard:
        key, key_id = os.urandom(KEY_BYTES), os.urandom(KEY_ID_BYTES)
        aead = AESGCM(key)
        return SealedCard(
            key_id=key_id.hex(),
            kek_id=self.kek_id,
            key_wrapped=wrap_key(self._kek, key_id.hex(), card_key_purpose(player_id, token), key),
            pan_sealed=seal(aead, key_id, pan.encode("ascii"), _context("pan", player_id, token)),
            details_sealed=seal(aead, key_id, details, _context("details", player_id, token)),
        )

    def _open(self, row: CardRow, column: str, sealed: bytes) -> bytes:
        if row.kek_id != self.kek_id:
            raise VaultError(
                f"card {row.token} is wrapped by card KEK {row.kek_id}, but the configured one "
                f"is {self.kek_id}: wrong CROUPIER_CARD_KEY_FILE or CROUPIER_CARD_KEK?"
            )
        purpose = card_key_purpose(row.player_id, row.token)
        key = unwrap_key(self._kek, row.key_id, purpose, row.key_wrapped)
        parts = split_sealed(bytes(sealed))
        if parts[0].hex() != row.key_id:
            raise VaultError(f"card {row.token}'s {column} is sealed under another data key")
        return unseal(AESGCM(key), parts, _context(column, row.player_id, row.token))

    def open_pan(self, row: CardRow) -> str:
        return self._open(row, "pan", row.pan_sealed).decode("ascii")

    def open_details(self, row: CardRow) -> bytes:
        return self._open(row, "details", row.details_sealed)
