"""The embedded default: the ledger, players and seed pairs in one SQLite file.

- :mod:`~croupier.adapters.storage.sqlite.ledger`: the ledger store, which migrates the file;
- :mod:`~croupier.adapters.storage.sqlite.players`: players, sessions and logins;
- :mod:`~croupier.adapters.storage.sqlite.seed_pairs`: provably-fair seed pairs;
- :mod:`~croupier.adapters.storage.sqlite.audit`: the hash-chained audit trail;
- :mod:`~croupier.adapters.storage.sqlite.base`: the connections and threads they share.
"""

from croupier.adapters.storage.sqlite.audit import SqliteAuditStore
from croupier.adapters.storage.sqlite.ledger import SqliteLedgerStore
from croupier.adapters.storage.sqlite.players import SqlitePlayerStore
from croupier.adapters.storage.sqlite.seed_pairs import SqliteSeedPairStore
from croupier.domain.errors import WriterLocked  # raised here; callers have imported it here

__all__ = [
    "SqliteAuditStore",
    "SqliteLedgerStore",
    "SqlitePlayerStore",
    "SqliteSeedPairStore",
    "WriterLocked",
]
