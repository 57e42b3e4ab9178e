"""Provably-fair seed pairs: commit, play (one nonce per round, claimed on the ledger), rotate.

- :mod:`~croupier.services.fairness.service`: :class:`FairnessService`, the use cases;
- :mod:`~croupier.services.fairness.ports`: the seed-pair store's port and the records it
  and the rounds exchange (:class:`StoredPair`, :class:`RoundFairness`, :class:`Rotation`).
"""

from croupier.domain.events import pair_stream, reveal_stream
from croupier.services.fairness.ports import (
    ClientSeedLocked,
    Rotation,
    RoundFairness,
    SeedPairNotFound,
    SeedPairStore,
    StoredPair,
)
from croupier.services.fairness.service import FairnessService

__all__ = [
    "ClientSeedLocked",
    "FairnessService",
    "Rotation",
    "RoundFairness",
    "SeedPairNotFound",
    "SeedPairStore",
    "StoredPair",
    "pair_stream",
    "reveal_stream",
]
