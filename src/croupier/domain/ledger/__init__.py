"""The ledger's pure rules: accounts, transfers, linked groups, the hash chain, invariants."""

from croupier.domain.ledger.accounts import Account, AccountKind, Balance
from croupier.domain.ledger.batch import BatchBuilder
from croupier.domain.ledger.chain import GENESIS_HASH, BatchRecord, batch_hash
from croupier.domain.ledger.events import AppendEvent, Event, StreamConflict
from croupier.domain.ledger.state import Applied, Command, CreateAccount, LedgerState
from croupier.domain.ledger.transfers import Transfer, TransferKind, TransferRequest

__all__ = [
    "GENESIS_HASH",
    "Account",
    "AccountKind",
    "AppendEvent",
    "Applied",
    "Balance",
    "BatchBuilder",
    "BatchRecord",
    "Command",
    "CreateAccount",
    "Event",
    "LedgerState",
    "StreamConflict",
    "Transfer",
    "TransferKind",
    "TransferRequest",
    "batch_hash",
]
