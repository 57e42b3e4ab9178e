"""The ledger service: a single group-committing writer over a storage port."""

from croupier.services.ledger.ports import LedgerClient, LedgerStore
from croupier.services.ledger.service import Ledger, verify_ledger
from croupier.services.ledger.writer import LedgerUnavailable, LedgerWriter, WriterLimits

__all__ = [
    "Ledger",
    "LedgerClient",
    "LedgerStore",
    "LedgerUnavailable",
    "LedgerWriter",
    "WriterLimits",
    "verify_ledger",
]
