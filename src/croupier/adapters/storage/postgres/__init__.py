"""The scale-out twin: the ledger, players and seed pairs in PostgreSQL, on asyncpg.

- :mod:`~croupier.adapters.storage.postgres.ledger`: the ledger store, which migrates the
  database and holds the writer's advisory lock;
- :mod:`~croupier.adapters.storage.postgres.players`: players, sessions and logins;
- :mod:`~croupier.adapters.storage.postgres.seed_pairs`: provably-fair seed pairs;
- :mod:`~croupier.adapters.storage.postgres.audit`: the hash-chained audit trail;
- :mod:`~croupier.adapters.storage.postgres.base`: the small pool the last two share.
"""

from croupier.adapters.storage.postgres.audit import PostgresAuditStore
from croupier.adapters.storage.postgres.ledger import PostgresLedgerStore
from croupier.adapters.storage.postgres.players import PostgresPlayerStore
from croupier.adapters.storage.postgres.seed_pairs import PostgresSeedPairStore
from croupier.domain.errors import WriterLocked  # raised here; callers have imported it here

__all__ = [
    "PostgresAuditStore",
    "PostgresLedgerStore",
    "PostgresPlayerStore",
    "PostgresSeedPairStore",
    "WriterLocked",
]
