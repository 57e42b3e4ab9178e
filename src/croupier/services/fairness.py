"""Per-player croupier-pf-1 seed pairs: commit, play (one durable nonce per round), rotate.

The rules of a pair are the domain's (:class:`~croupier.domain.seed_pair.SeedPair`); this
service persists them and makes every step race-safe through the store's atomic operations:

* the first pair is created lazily, with OS-random seeds, on the player's first request;
* :meth:`FairnessService.next_round` commits the nonce increment *before* it hands out the
  round's draw source, so a crash may waste a nonce but can never reuse one;
* the client seed changes only at nonce 0, checked in the same UPDATE that changes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from croupier.adapters import seeds
from croupier.domain.accounts import Player
from croupier.domain.fairness import NONCE_MAX, ProvablyFairSource, validate_client_seed
from croupier.domain.seed_pair import Commitment, SeedPair, SeedPairRefusal
from croupier.services.fairness_ports import (
    ClientSeedLocked,
    Rotation,
    RoundFairness,
    SeedPairNotFound,
    SeedPairStore,
    StoredPair,
)

__all__ = [
    "ClientSeedLocked",
    "FairnessService",
    "Rotation",
    "RoundFairness",
    "SeedPairNotFound",
    "SeedPairStore",
    "StoredPair",
]

#: Retries when a concurrent rotation retires the pair between our read and our write; each
#: retry reads the new active pair, so two rotations in a row are already rare.
_RACE_RETRIES_MAX: Final = 8


class FairnessService:
    """The seed-pair use cases. ``clock_ms`` gives UTC milliseconds since the epoch."""

    def __init__(
        self,
        store: SeedPairStore,
        *,
        clock_ms: Callable[[], int],
        new_pair: Callable[[], SeedPair] = seeds.new_seed_pair,
        new_server_seed_bytes: Callable[[], bytes] = seeds.new_server_seed_bytes,
    ) -> None:
        self.store = store
        self._clock_ms = clock_ms
        self._new_pair = new_pair
        self._new_server_seed_bytes = new_server_seed_bytes

    async def current(self, player: Player) -> Commitment:
        """The player's public commitment; the first pair is created on the first call."""
        return (await self._active(player.player_id)).pair.commitment()

    async def set_client_seed(self, player: Player, client_seed: str) -> Commitment:
        """Choose the client seed of the active pair: ``InvalidClientSeed`` for a malformed
        seed, ``ClientSeedLocked`` once the pair has played a round (rotate first)."""
        validate_client_seed(client_seed)
        player_id = player.player_id
        active = await self._active(player_id)
        if not active.pair.can_set_client_seed():
            raise _locked()
        changed = await self.store.set_client_seed(player_id, client_seed)
        if changed is None:  # a round took nonce 0 since we read the pair
            raise _locked()
        return changed.pair.commitment()

    async def rotate(self, player: Player) -> Rotation:
        """Reveal the active server seed and commit to a new one (same client seed)."""
        for _ in range(_RACE_RETRIES_MAX):
            active = await self._active(player.player_id)
            _, new_pair = active.pair.rotate(self._new_server_seed_bytes())
            rotation = await self.store.rotate(active.pair_id, new_pair, at_ms=self._clock_ms())
            if rotation is not None:
                return rotation
        raise SeedPairRefusal("the seed pair kept changing during rotation: try again")

    async def next_round(self, player: Player) -> RoundFairness:
        """The next round's fairness inputs; its nonce is committed before this returns."""
        player_id = player.player_id
        for _ in range(_RACE_RETRIES_MAX):
            taken = await self.store.consume_nonce(player_id, NONCE_MAX)
            if taken is not None:
                pair = taken.pair
                source = ProvablyFairSource(pair.server_seed, pair.client_seed, pair.nonce)
                return RoundFairness(
                    taken.pair_id, pair.server_seed_hash, pair.client_seed, pair.nonce, source
                )
            active = await self._active(player_id)
            if active.pair.nonce >= NONCE_MAX:
                raise SeedPairRefusal("this seed pair has used every nonce: rotate it")
        raise SeedPairRefusal("the seed pair kept changing: try again")

    async def server_seed(self, pair_id: int) -> str:
        """The server seed of any pair, revealed or not. Internal: never show it to players
        before rotation (recovery uses it to recompute an interrupted round)."""
        return (await self._get(pair_id)).pair.server_seed

    async def revealed_seed(self, pair_id: int) -> str | None:
        """The server seed once the pair is rotated (public from then on), else ``None``."""
        stored = await self._get(pair_id)
        return stored.pair.server_seed if stored.revealed else None

    async def pair(self, pair_id: int) -> StoredPair:
        """A stored pair by id (``SeedPairNotFound`` if none)."""
        return await self._get(pair_id)

    async def _active(self, player_id: str) -> StoredPair:
        active = await self.store.active(player_id)
        if active is not None:
            return active
        return await self.store.insert_active(player_id, self._new_pair(), at_ms=self._clock_ms())

    async def _get(self, pair_id: int) -> StoredPair:
        stored = await self.store.get(pair_id)
        if stored is None:
            raise SeedPairNotFound(f"no seed pair {pair_id}")
        return stored


def _locked() -> ClientSeedLocked:
    return ClientSeedLocked(
        "the client seed can change only before the first round of a seed pair; "
        "rotate the pair to choose a new client seed"
    )
