"""The ledger service: a single group-committing writer over a storage port."""

from croupier.services.ledger.ports import LedgerStore
from croupier.services.ledger.service import Ledger, verify_ledger
from croupier.services.ledger.writer import LedgerUnavailable, LedgerWriter, WriterLimits

__all__ = [
    "Ledger",
    "LedgerStore",
    "LedgerUnavailable",
    "LedgerWriter",
    "WriterLimits",
    "verify_ledger",
]
