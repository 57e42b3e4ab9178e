"""Wiring of the card vault (issue 16): its store, the card KEK's cipher and the BIN
directory. Kept out of ``bootstrap.py`` so the composition root gains two lines."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

from croupier.adapters.cards.bin_file import BinFile
from croupier.adapters.cards.cipher import CardCipher
from croupier.adapters.cards.keys import load_card_kek
from croupier.config import Settings
from croupier.services.audit import AuditTrail
from croupier.services.cards import CardStore, CardVault

__all__ = ["make_card_store", "open_card_vault"]


def make_card_store(database_url: str) -> CardStore:
    """The ``cards`` table for a database URL (the ledger's writer migrates it)."""
    if database_url.startswith("sqlite:///"):
        from croupier.adapters.storage.sqlite.cards import SqliteCardStore

        return SqliteCardStore(database_url.removeprefix("sqlite:///"))
    from croupier.adapters.storage.postgres.cards import PostgresCardStore

    return PostgresCardStore(database_url)


def _today() -> date:
    return datetime.now(UTC).date()


async def open_card_vault(settings: Settings, *, audit: AuditTrail | None) -> CardVault:
    """The vault on the card KEK (``ConfigError`` without one on PostgreSQL) and the BIN
    file, its store open; close it with ``vault.store.close()``."""
    cipher = CardCipher(load_card_kek(settings).key)
    bins = BinFile.load(settings.cards.bins_file)
    store = make_card_store(settings.database_url)
    await store.open()
    return CardVault(
        store,
        cipher,
        bins,
        audit=audit,
        clock_ms=lambda: time.time_ns() // 1_000_000,
        today=_today,
        cards_per_player_max=settings.cards.cards_per_player_max,
    )
