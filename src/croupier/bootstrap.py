"""The composition root: the one place that picks adapters and wires them to services."""

from __future__ import annotations

from croupier.config import Settings
from croupier.services.ledger import Ledger, LedgerStore, LedgerWriter

__all__ = ["make_store", "open_ledger"]


def make_store(database_url: str) -> LedgerStore:
    """The storage adapter for a database URL (``sqlite:///PATH`` or ``postgresql://…``)."""
    if database_url.startswith("sqlite:///"):
        from croupier.adapters.storage.sqlite import SqliteLedgerStore

        return SqliteLedgerStore(database_url.removeprefix("sqlite:///"))
    from croupier.adapters.storage.postgres import PostgresLedgerStore

    return PostgresLedgerStore(database_url)


async def open_ledger(settings: Settings, *, writer: bool = True) -> Ledger:
    """Open the configured ledger; as the writer, start its group-commit loop."""
    store = make_store(settings.database_url)
    await store.open(writer=writer)
    if not writer:
        return Ledger(store, None)
    ledger_writer = LedgerWriter(store, limits=settings.ledger)
    try:
        await ledger_writer.start()
    except BaseException:
        await store.close()
        raise
    return Ledger(store, ledger_writer)
