"""The fairness service's port (seed-pair storage), its records and its refusals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from croupier.domain.errors import ClientSeedLocked, SeedPairNotFound
from croupier.domain.fairness import ProvablyFairSource
from croupier.domain.seed_pair import SeedPair

__all__ = [
    "ClientSeedLocked",
    "Rotation",
    "RoundFairness",
    "SeedPairNotFound",
    "SeedPairStore",
    "StoredPair",
]


@dataclass(frozen=True, slots=True)
class StoredPair:
    """A seed pair as stored; ``pair.nonce`` is the next nonce (rounds played once revealed)."""

    pair_id: int
    player_id: str
    pair: SeedPair
    revealed_at_ms: int | None = None

    @property
    def revealed(self) -> bool:
        """True once rotated: the server seed is public from then on."""
        return self.revealed_at_ms is not None


@dataclass(frozen=True, slots=True)
class RoundFairness:
    """What one round needs to draw and, later, to prove: its pair, seeds' commitment, nonce.

    ``source`` is the round's croupier-pf-1 stream; its nonce is already durably consumed.
    """

    pair_id: int
    server_seed_hash: str
    client_seed: str
    nonce: int
    source: ProvablyFairSource
    #: Which reading of the pair's head the nonce was counted from (see ``forget``).
    generation: int = 0


@dataclass(frozen=True, slots=True)
class Rotation:
    """A rotation: the retired pair, its server seed now public, and the new active pair."""

    revealed: StoredPair
    current: StoredPair


class SeedPairStore(Protocol):
    """Durable seed pairs: at most one active (unrevealed) pair per player.

    Every method that changes a pair commits before it returns.
    """

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def active(self, player_id: str) -> StoredPair | None:
        """The player's active pair, if any."""

    async def get(self, pair_id: int) -> StoredPair | None:
        """Any pair by id, active or revealed."""

    async def active_player_ids(self) -> list[str]:
        """Every player who has an active pair, in id order (for rotating them all)."""

    async def insert_active(self, player_id: str, pair: SeedPair, *, at_ms: int) -> StoredPair:
        """Store ``pair`` as the active one unless the player has one already; return the
        active pair either way (a racing insert keeps the first)."""

    async def set_client_seed(self, player_id: str, client_seed: str) -> StoredPair | None:
        """Change the active pair's client seed if it is still at nonce 0; ``None`` if not."""

    async def rotate(
        self, pair_id: int, new_pair: SeedPair, *, at_ms: int, rounds_played: int
    ) -> Rotation | None:
        """In one transaction: reveal active pair ``pair_id`` (recording the rounds it played:
        its nonces are counted on the ledger) and make ``new_pair`` active.

        ``None`` when ``pair_id`` is no longer active (a concurrent rotation won).
        """
