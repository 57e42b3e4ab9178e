"""Per-player croupier-pf-1 seed pairs: commit, play (one nonce per round), rotate.

The rules of a pair are the domain's (:class:`~croupier.domain.seed_pair.SeedPair`); the pair
itself (seeds, reveal) lives in the seed-pair store, and the nonces a pair has handed out
live on the ledger, as the event stream ``seeds:<pair_id>``:

* a round claims nonce ``n`` by appending ``nonce.used`` to its pair's stream with
  ``expected_seq = n`` *in the round's own linked group*, so the nonce, the money and the
  record commit together or not at all: a round that never committed used no nonce and
  showed no outcome, and two rounds can never commit the same nonce (the loser gets
  ``StreamConflict`` and draws again with the next one);
* a rotation first appends ``seed_pair.revealed`` to ``revealed:<pair_id>``, a stream of its
  own, guarded on the nonce stream's head it checked; every claim is guarded on the reveal
  stream being empty. So a claim and a reveal exclude each other in the writer: a round
  that drew before the reveal fails its claim and draws from the new pair; a reveal that
  raced a claim checks again. Then the store reveals the pair and makes the new one
  active; a reveal whose rotation a crash cut short is finished by the next request that
  finds it;
* the first pair is created lazily, with OS-random seeds, on the player's first request;
* the client seed changes only while no round has used the pair.

The next nonce of each active pair, and each player's active pair, are cached here (bounded)
so that a round costs no read: a stale cache shows as a failed claim, which resets it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Final

from croupier.adapters import seeds
from croupier.domain.accounts import Player
from croupier.domain.events import (
    NonceUsed,
    SeedPairRevealed,
    encode,
    pair_stream,
    reveal_stream,
)
from croupier.domain.fairness import NONCE_MAX, ProvablyFairSource, validate_client_seed
from croupier.domain.ledger import AppendEvent
from croupier.domain.ledger.events import StreamConflict
from croupier.domain.seed_pair import Commitment, SeedPair, SeedPairRefusal
from croupier.services.fairness.ports import (
    ClientSeedLocked,
    Rotation,
    RoundFairness,
    SeedPairNotFound,
    SeedPairStore,
    StoredPair,
)
from croupier.services.ledger import LedgerClient

__all__ = ["FairnessService"]

#: Retries when a concurrent round or rotation moves the pair between our read and our write.
_RACE_RETRIES_MAX: Final = 8
#: Players (and pairs) whose active pair and next nonce are kept in memory.
_CACHED_MAX: Final = 100_000
NONCE_USED: Final = NonceUsed.TYPE
REVEALED: Final = SeedPairRevealed.TYPE


class FairnessService:
    """The seed-pair use cases. ``clock_ms`` gives UTC milliseconds since the epoch."""

    def __init__(
        self,
        store: SeedPairStore,
        ledger: LedgerClient,
        *,
        clock_ms: Callable[[], int],
        new_pair: Callable[[], SeedPair] = seeds.new_seed_pair,
        new_server_seed_bytes: Callable[[], bytes] = seeds.new_server_seed_bytes,
    ) -> None:
        self.store = store
        self.ledger = ledger
        self._clock_ms = clock_ms
        self._new_pair = new_pair
        self._new_server_seed_bytes = new_server_seed_bytes
        # player id -> (active pair, its next nonce, generation); least recently used first
        self._playing: OrderedDict[str, tuple[StoredPair, int, int]] = OrderedDict()
        self._generation = 0

    async def current(self, player: Player) -> Commitment:
        """The player's public commitment; the first pair is created on the first call."""
        active, nonce = await self._load(player.player_id)
        return SeedPair(active.pair.server_seed, active.pair.client_seed, nonce).commitment()

    async def set_client_seed(self, player: Player, client_seed: str) -> Commitment:
        """Choose the client seed of the active pair: ``InvalidClientSeed`` for a malformed
        seed, ``ClientSeedLocked`` once the pair has played a round (rotate first)."""
        validate_client_seed(client_seed)
        player_id = player.player_id
        self._forget(player_id)
        _, nonce = await self._load(player_id)
        if nonce:
            raise _locked()
        # A round racing this one draws with the seed it read, and records it: its outcome
        # still verifies, and the nonce it used is never handed out again.
        changed = await self.store.set_client_seed(player_id, client_seed)
        self._forget(player_id)
        if changed is None:
            raise _locked()
        return changed.pair.commitment()

    async def rotate(
        self, player: Player, *, nothing_open: Callable[[], Awaitable[None]] | None = None
    ) -> Rotation:
        """Reveal the active server seed and commit to a new one (same client seed).

        ``nothing_open`` raises if the player has a round open; it runs after the pair's head
        is read and before the reveal is appended, guarded on that head, so a round dealt in
        between moves the head and makes the reveal fail: checked again, it is refused.
        """
        player_id = player.player_id
        for _ in range(_RACE_RETRIES_MAX):
            self._forget(player_id)
            active = await self._active(player_id)
            rounds_played, revealed = await self._pair_head(active.pair_id)
            if not revealed:
                if nothing_open is not None:
                    await nothing_open()
                reveal = encode(
                    SeedPairRevealed(pair_id=active.pair_id, rounds_played=rounds_played),
                    expected_seq=0,
                    guard=(pair_stream(active.pair_id), rounds_played),
                )
                try:
                    await self.ledger.submit([reveal])
                except StreamConflict:  # a round claimed a nonce meanwhile: check again
                    continue
            rotation = await self._finish_rotation(active, rounds_played)
            if rotation is not None:
                return rotation
        raise SeedPairRefusal("the seed pair kept changing during rotation: try again")

    async def draw(self, player: Player) -> RoundFairness:
        """The next round's fairness inputs. The nonce is *not* committed: the round commits
        :meth:`claim` with its money, or calls :meth:`forget` if the claim failed.

        Nonces are counted in memory: the caller draws one round of a player at a time and
        submits its claim before drawing the next (the round service serialises a player's
        rounds), so a reading of the pair serves every round until a claim fails."""
        player_id = player.player_id
        cached = self._playing.pop(player_id, None)
        if cached is not None:
            active, nonce, generation = cached
        else:
            active, nonce = await self._load(player_id)
            self._generation += 1
            generation = self._generation
        if nonce >= NONCE_MAX:
            raise SeedPairRefusal("this seed pair has used every nonce: rotate it")
        self._remember(player_id, (active, nonce + 1, generation))
        pair = active.pair
        source = ProvablyFairSource(pair.server_seed, pair.client_seed, nonce)
        return RoundFairness(
            active.pair_id, pair.server_seed_hash, pair.client_seed, nonce, source, generation
        )

    @staticmethod
    def claim(fair: RoundFairness) -> AppendEvent:
        """The command that uses ``fair``'s nonce, for the round's linked group (the round's
        record names the pair and the nonce, so the claim does not name the round). The
        pair's first claim puts its commitment in the ledger's chain."""
        commitment = fair.server_seed_hash if fair.nonce == 0 else None
        return encode(
            NonceUsed(pair_id=fair.pair_id, server_seed_hash=commitment),
            expected_seq=fair.nonce,
            guard=(reveal_stream(fair.pair_id), 0),
        )

    def forget(self, player: Player, fair: RoundFairness) -> None:
        """After ``fair``'s claim failed: read the pair again, unless it was read again since
        ``fair`` was drawn (rounds drawn from that reading are still good)."""
        cached = self._playing.get(player.player_id)
        if cached is not None and cached[2] == fair.generation:
            self._forget(player.player_id)

    def unused(self, player: Player, fair: RoundFairness) -> None:
        """The round drawn with ``fair`` was refused whole (its claim never applied): hand the
        nonce out again, if it is still the last one drawn from this reading of the pair."""
        cached = self._playing.get(player.player_id)
        if cached is not None and cached[1:] == (fair.nonce + 1, fair.generation):
            self._playing[player.player_id] = (cached[0], fair.nonce, fair.generation)

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

    # -- plumbing --------------------------------------------------------------------------
    async def _load(self, player_id: str) -> tuple[StoredPair, int]:
        """The active pair and its next nonce, finishing a rotation a crash cut short."""
        for _ in range(_RACE_RETRIES_MAX):
            active = await self._active(player_id)
            nonce, revealed = await self._pair_head(active.pair_id)
            if not revealed:
                return active, nonce
            await self._finish_rotation(active, nonce)
        raise SeedPairRefusal("the seed pair kept changing: try again")

    async def _pair_head(self, pair_id: int) -> tuple[int, bool]:
        """Nonces the pair has handed out, and whether a rotation has revealed it."""
        played = await self.ledger.stream_head(pair_stream(pair_id))
        return played, await self.ledger.stream_head(reveal_stream(pair_id)) > 0

    async def _finish_rotation(self, active: StoredPair, rounds_played: int) -> Rotation | None:
        _, new_pair = active.pair.rotate(self._new_server_seed_bytes())
        rotation = await self.store.rotate(
            active.pair_id, new_pair, at_ms=self._clock_ms(), rounds_played=rounds_played
        )
        self._forget(active.player_id)
        return rotation

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

    def _remember(self, player_id: str, entry: tuple[StoredPair, int, int]) -> None:
        self._playing[player_id] = entry
        if len(self._playing) > _CACHED_MAX:
            self._playing.popitem(last=False)

    def _forget(self, player_id: str) -> None:
        self._playing.pop(player_id, None)


def _locked() -> ClientSeedLocked:
    return ClientSeedLocked(
        "the client seed can change only before the first round of a seed pair; "
        "rotate the pair to choose a new client seed"
    )
