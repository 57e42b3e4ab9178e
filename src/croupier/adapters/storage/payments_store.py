"""The payments store for a database URL (same database as the ledger, which migrates it)."""

from __future__ import annotations

from croupier.services.payments.store import PaymentStore

__all__ = ["make_payment_store"]


def make_payment_store(database_url: str) -> PaymentStore:
    if database_url.startswith("sqlite:///"):
        from croupier.adapters.storage.sqlite.payments import SqlitePaymentStore

        return SqlitePaymentStore(database_url.removeprefix("sqlite:///"))
    from croupier.adapters.storage.postgres.payments import PostgresPaymentStore

    return PostgresPaymentStore(database_url)
