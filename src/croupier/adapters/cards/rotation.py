"""Rotation of the card KEK: every card's data key re-wrapped under a new KEK in one
transaction, the sealed values untouched. It reuses the data vault's procedure
(:func:`croupier.adapters.vault.rotate_key_file`: the new key written first, the old file
kept as a dated backup, an atomic rename last) through :class:`CardKeyRing`, which shows
the ``cards`` table as a key store.

Why rotate, besides the key's cryptoperiod (PCI DSS 3.6.1.4 / 3.7.4): once the old KEK is
destroyed, every copy of the database made before the rotation (backups, replicas, WAL
archives, PostgreSQL's dead tuples) holds keys nobody can unwrap, so the cards deleted
before it are shredded in those copies too (docs/security.md, "Card data")."""

from __future__ import annotations

from pathlib import Path

from croupier.adapters.cards.cipher import card_key_purpose
from croupier.adapters.vault import KekRotation, VaultError, WrappedKey, rotate_key_file
from croupier.services.cards.ports import CardKey, CardStore

__all__ = ["CardKeyRing", "rotate_card_key_file"]


class CardKeyRing:
    """The cards' wrapped keys as a ``croupier.adapters.vault.DataKeyStore``: a key's purpose
    is the cipher's (player and token, unique per card), its id the card's data key id."""

    def __init__(self, store: CardStore) -> None:
        self.store = store
        self._cards: dict[str, CardKey] = {}

    async def load(self) -> list[WrappedKey]:
        keys = await self.store.keys()
        self._cards = {card_key_purpose(key.player_id, key.token): key for key in keys}
        return [
            WrappedKey(
                key.key_id,
                card_key_purpose(key.player_id, key.token),
                key.kek_id,
                key.key_wrapped,
                key.created_at_ms,
            )
            for key in keys
        ]

    async def insert(self, key: WrappedKey) -> None:
        raise VaultError("cards get their keys from the card vault, not from a rotation")

    async def rewrap(self, keys: list[WrappedKey], *, old_kek_id: str) -> None:
        new_kek_ids = {key.kek_id for key in keys}
        if len(new_kek_ids) > 1:
            raise VaultError("a rotation re-wraps every card under one KEK")
        cards = [self._cards[key.purpose] for key in keys]
        rewrapped = [
            CardKey(card.token, card.player_id, card.key_id, key.kek_id, key.wrapped, 0)
            for card, key in zip(cards, keys, strict=True)
        ]
        new_kek_id = next(iter(new_kek_ids), old_kek_id)
        if not await self.store.rewrap(rewrapped, old_kek_id=old_kek_id, new_kek_id=new_kek_id):
            raise VaultError(
                "a card was added under another KEK during the rotation; nothing changed: "
                "rotate again with no server adding cards"
            )


async def rotate_card_key_file(
    store: CardStore, old: bytes, *, key_file: Path | None, new_key_file: Path | None
) -> KekRotation:
    """A new random card KEK (see :func:`croupier.adapters.vault.rotate_key_file`)."""
    return await rotate_key_file(
        CardKeyRing(store), old, key_file=key_file, new_key_file=new_key_file
    )
