"""The tests' key-encryption key: PostgreSQL refuses to start without one, and SQLite would
otherwise generate a key file beside every test database."""

from __future__ import annotations

from croupier.adapters.vault import Vault
from croupier.bootstrap import open_vault
from croupier.config import load_settings

#: A fixed test KEK (never a real one): 32 bytes as hex.
TEST_KEK_HEX = "6b6579206f6620746865207465737473206f6e6c79202d206e6f742072656121"
#: The card vault's KEK, a key of its own (docs/security.md, "Card data").
TEST_CARD_KEK_HEX = "6361726473206f6620746865207465737473206f6e6c79202d206e6f74207265"
#: Settings' environment with the test KEK; spread it into a test's own: ``{**KEK_ENV, …}``.
#: Its clients are on loopback, located at home on PostgreSQL too (docs/compliance.md); its
#: players play unverified on PostgreSQL too (KYC's own tests set ``CROUPIER_KYC_ENFORCE=1``).
KEK_ENV = {
    "CROUPIER_KEK": TEST_KEK_HEX,
    "CROUPIER_CARD_KEK": TEST_CARD_KEK_HEX,
    "CROUPIER_GEO_ALLOW_PRIVATE": "1",
    "CROUPIER_KYC_ENFORCE": "0",
}


async def open_test_vault(url: str) -> Vault:
    """The vault of ``url`` (whose ledger is open: its writer migrated data_keys)."""
    return await open_vault(load_settings(KEK_ENV, database_url=url))
