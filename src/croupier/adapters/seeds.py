"""Fresh seeds from the operating system's CSPRNG: the one place the fairness code draws them.

The domain (:mod:`croupier.domain.seed_pair`) takes seed bytes as arguments so it stays pure
and testable; production code calls these functions to get them.
"""

from __future__ import annotations

import secrets

from croupier.domain.seed_pair import (
    DEFAULT_CLIENT_SEED_BYTES,
    SERVER_SEED_BYTES,
    SeedPair,
    default_client_seed,
)

__all__ = ["new_client_seed", "new_seed_pair", "new_server_seed_bytes"]


def new_server_seed_bytes() -> bytes:
    """32 bytes from ``secrets`` (the OS CSPRNG) for a new server seed."""
    return secrets.token_bytes(SERVER_SEED_BYTES)


def new_client_seed() -> str:
    """A random default client seed (16 hex characters) offered to the player."""
    return default_client_seed(secrets.token_bytes(DEFAULT_CLIENT_SEED_BYTES))


def new_seed_pair(client_seed: str | None = None) -> SeedPair:
    """A fresh seed pair at nonce 0, with the player's client seed or a random default."""
    chosen = new_client_seed() if client_seed is None else client_seed
    return SeedPair.create(new_server_seed_bytes(), chosen)
