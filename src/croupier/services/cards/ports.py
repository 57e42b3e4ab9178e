"""The card vault's ports: where sealed cards are kept, and who says where a card was issued."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["BinDirectory", "CardKey", "CardRow", "CardSealer", "CardStore", "SealedCard"]


@dataclass(frozen=True, slots=True)
class CardRow:
    """A row of ``cards`` (migration 0016). Only ``masked``, ``brand`` and ``country`` are in
    clear; the PAN and the expiry and holder's name are sealed under the card's own data
    key, which is stored wrapped by the card KEK (``kek_id`` names it)."""

    token: str
    player_id: str
    masked: str
    brand: str
    country: str
    key_id: str
    kek_id: str
    key_wrapped: bytes
    pan_sealed: bytes
    details_sealed: bytes
    created_at_ms: int

    def __repr__(self) -> str:  # sealed bytes say nothing, but fill logs: leave them out
        return f"CardRow(token={self.token!r}, player={self.player_id!r}, masked={self.masked!r})"


@dataclass(frozen=True, slots=True)
class CardKey:
    """A card's wrapped data key alone, for a rotation of the card KEK."""

    token: str
    player_id: str
    key_id: str
    kek_id: str
    key_wrapped: bytes
    created_at_ms: int


class CardStore(Protocol):
    """The ``cards`` table (SQLite or PostgreSQL); the ledger's writer migrates it."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def insert(self, row: CardRow, *, cards_max: int) -> bool:
        """Add ``row`` unless its player keeps ``cards_max`` cards already (then False)."""

    async def cards(self, player_id: str) -> Sequence[CardRow]:
        """The player's cards, oldest first."""

    async def card(self, player_id: str, token: str) -> CardRow | None:
        """The card ``token`` if it is ``player_id``'s, else None."""

    async def delete(self, player_id: str, token: str) -> bool:
        """Remove the row (wrapped key and ciphertexts with it); False if there was none."""

    async def keys(self) -> Sequence[CardKey]:
        """Every card's wrapped key, oldest first."""

    async def rewrap(self, keys: Sequence[CardKey], *, old_kek_id: str, new_kek_id: str) -> bool:
        """In one transaction, replace the wrapping of each card still wrapped by
        ``old_kek_id`` (a card deleted meanwhile is skipped); change nothing and answer False
        if a card would be left under another KEK than ``new_kek_id`` (one added meanwhile)."""


class BinDirectory(Protocol):
    """Where a card was issued, from its IIN (its first digits). The embedded adapter reads
    a small file of the sandbox's test cards (``adapters/cards/bin_file.py``); an operator
    plugs in a licensed BIN database behind this port (docs/security.md)."""

    async def issuer_country(self, iin: str) -> str | None:
        """ISO 3166-1 alpha-2 of the issuer of the card whose first 8 digits are ``iin``
        (never more of the card number), or None when unknown."""


@dataclass(frozen=True, slots=True)
class SealedCard:
    """A card's secrets as stored: its data key wrapped by the card KEK, and two values
    sealed under that key (the PAN; the expiry and holder's name)."""

    key_id: str
    kek_id: str
    key_wrapped: bytes
    pan_sealed: bytes
    details_sealed: bytes

    def __repr__(self) -> str:
        return f"SealedCard(key_id={self.key_id!r}, kek_id={self.kek_id!r})"


class CardSealer(Protocol):
    """Per-card envelope encryption under the card KEK (``adapters/cards/cipher.py``). Every
    value is bound to its player and token: a row copied to another player does not open."""

    kek_id: str

    def seal(self, player_id: str, token: str, *, pan: str, details: bytes) -> SealedCard:
        """A new data key for this card alone, and the card's secrets sealed under it."""

    def open_pan(self, row: CardRow) -> str:
        """The PAN of ``row`` (raises if it was tampered with or moved)."""

    def open_details(self, row: CardRow) -> bytes:
        """The sealed details of ``row`` (expiry and holder's name, as the vault wrote them)."""
