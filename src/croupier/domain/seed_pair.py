"""The croupier-pf-1 seed-pair lifecycle as a pure, frozen state machine.

::

    create(server_seed_bytes, client_seed)      commit: publish server_seed_hash
        │
        ├── next_round() ──▶ (source for nonce n, pair at nonce n+1)      play, any number of times
        ├── with_client_seed(c)                  only before the first round (nonce still 0)
        └── rotate(new_server_seed_bytes[, c])   reveal the old server seed, commit to a new one

Why the client seed cannot change mid-pair without a rotation: a new client seed restarts the
nonce count at 0, and if the player could later switch back to an earlier client seed, the
server would replay rounds whose outcomes the player has already seen. Rotating the server
seed with every client-seed change (as the industry does) makes every
``(server_seed, client_seed, nonce)`` triple unique.

The domain never draws the server seed itself: the caller brings 32 bytes from a CSPRNG
(see :mod:`croupier.adapters.seeds`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from croupier.domain.errors import SeedPairRefusal
from croupier.domain.fairness import (
    NONCE_MAX,
    SCHEME,
    ProvablyFairSource,
    server_seed_hash,
    validate_client_seed,
    validate_nonce,
    validate_server_seed,
)

__all__ = [
    "DEFAULT_CLIENT_SEED_BYTES",
    "SERVER_SEED_BYTES",
    "Commitment",
    "RevealedSeedPair",
    "SeedPair",
    "SeedPairRefusal",
    "default_client_seed",
    "server_seed_from_bytes",
]

SERVER_SEED_BYTES: Final = 32
DEFAULT_CLIENT_SEED_BYTES: Final = 8


def server_seed_from_bytes(server_seed_bytes: bytes) -> str:
    """32 random bytes as the 64-lowercase-hex server seed croupier-pf-1 expects."""
    if not isinstance(server_seed_bytes, bytes) or len(server_seed_bytes) != SERVER_SEED_BYTES:
        raise SeedPairRefusal(f"a server seed is made from exactly {SERVER_SEED_BYTES} bytes")
    return server_seed_bytes.hex()


def default_client_seed(random_bytes: bytes) -> str:
    """The client seed offered to a player who does not choose one: hex of 8 random bytes."""
    if not isinstance(random_bytes, bytes) or len(random_bytes) != DEFAULT_CLIENT_SEED_BYTES:
        raise SeedPairRefusal(
            f"a default client seed is made from exactly {DEFAULT_CLIENT_SEED_BYTES} bytes"
        )
    return random_bytes.hex()


@dataclass(frozen=True)
class Commitment:
    """What a player sees before playing: the hash of the secret seed and their own seed."""

    scheme: str
    server_seed_hash: str
    client_seed: str
    next_nonce: int


@dataclass(frozen=True)
class RevealedSeedPair:
    """A retired pair: with it a player recomputes rounds ``0 … rounds_played - 1``."""

    scheme: str
    server_seed: str
    server_seed_hash: str
    client_seed: str
    rounds_played: int


@dataclass(frozen=True)
class SeedPair:
    """An active seed pair; ``nonce`` is the nonce the next round will use."""

    server_seed: str = field(repr=False)  # secret until rotated: keep it out of logs
    client_seed: str
    nonce: int = 0

    def __post_init__(self) -> None:
        validate_server_seed(self.server_seed)
        validate_client_seed(self.client_seed)
        validate_nonce(self.nonce)

    @classmethod
    def create(cls, server_seed_bytes: bytes, client_seed: str) -> SeedPair:
        """A fresh pair at nonce 0 from 32 CSPRNG bytes and the player's (or default) seed."""
        return cls(server_seed_from_bytes(server_seed_bytes), validate_client_seed(client_seed))

    @property
    def server_seed_hash(self) -> str:
        """The commitment published before any round uses the server seed."""
        return server_seed_hash(self.server_seed)

    def commitment(self) -> Commitment:
        """The public view of this pair: safe to show the player at any time."""
        return Commitment(SCHEME, self.server_seed_hash, self.client_seed, self.nonce)

    def next_round(self) -> tuple[ProvablyFairSource, SeedPair]:
        """The draw source for the next round and the pair advanced by one nonce."""
        if self.nonce >= NONCE_MAX:
            raise SeedPairRefusal("this seed pair has used every nonce: rotate it")
        source = ProvablyFairSource(self.server_seed, self.client_seed, self.nonce)
        return source, SeedPair(self.server_seed, self.client_seed, self.nonce + 1)

    def can_set_client_seed(self) -> bool:
        """True while no round has used this server seed (nonce 0)."""
        return self.nonce == 0

    def with_client_seed(self, client_seed: str) -> SeedPair:
        """The same server seed with a new client seed; only before the first round."""
        validate_client_seed(client_seed)
        if not self.can_set_client_seed():
            raise SeedPairRefusal(
                "the client seed can change only before the first round of a seed pair; "
                "rotate the pair to choose a new client seed"
            )
        return SeedPair(self.server_seed, client_seed, 0)

    def rotate(
        self, new_server_seed_bytes: bytes, client_seed: str | None = None
    ) -> tuple[RevealedSeedPair, SeedPair]:
        """Reveal this pair and start a new one at nonce 0 (optionally with a new client seed)."""
        new_server_seed = server_seed_from_bytes(new_server_seed_bytes)
        if new_server_seed == self.server_seed:
            raise SeedPairRefusal("the new server seed must differ from the one being revealed")
        new_client_seed = self.client_seed if client_seed is None else client_seed
        new_pair = SeedPair(new_server_seed, validate_client_seed(new_client_seed), 0)
        revealed = RevealedSeedPair(
            SCHEME, self.server_seed, self.server_seed_hash, self.client_seed, self.nonce
        )
        return revealed, new_pair
