"""Live cash tables: the table actor, its directory, its event fold and hand histories."""

from croupier.services.poker.directory import TableDirectory, escrow_account
from croupier.services.poker.histories import FinishedHand, finished_hand
from croupier.services.poker.seeds import MemorySealer, SeedSealer, VaultSealer
from croupier.services.poker.settings import PokerSettings, poker_settings
from croupier.services.poker.table import CashTable, table_stream

__all__ = [
    "CashTable",
    "FinishedHand",
    "MemorySealer",
    "PokerSettings",
    "SeedSealer",
    "TableDirectory",
    "VaultSealer",
    "escrow_account",
    "finished_hand",
    "poker_settings",
    "table_stream",
]
