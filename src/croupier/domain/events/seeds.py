"""A seed pair's records on the ledger: the nonces it handed out, and its reveal.

A round claims nonce ``n`` of its pair with :class:`NonceUsed` on ``seeds:<pair>``, appended
at ``expected_seq = n`` in the round's own group; a rotation appends
:class:`SeedPairRevealed` on ``revealed:<pair>`` (see :mod:`croupier.services.fairness`).

A claim written before issue 12's storage work names its ``round_id``; since then a claim is
empty but for the pair's first (nonce 0), which carries the pair's ``server_seed_hash``: the
commitment is in the ledger's hash chain once per pair rather than in every round's record.
Which round took nonce ``n`` is the round of the claim's group, whose record names the pair
and the nonce.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from croupier.domain.events.base import Record, address, optional
from croupier.domain.events.streams import pair_stream, reveal_stream

__all__ = ["NonceUsed", "SeedPairRevealed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class NonceUsed(Record):
    """Nonce ``seq - 1`` of the pair went to a round (``round_id`` in older claims); the
    first claim of a pair carries its ``server_seed_hash``."""

    TYPE: ClassVar[str] = "nonce.used"
    FAMILY: ClassVar[str] = "seeds"

    pair_id: int = address()
    round_id: str | None = optional()
    server_seed_hash: str | None = optional()

    @property
    def stream(self) -> str:
        return pair_stream(self.pair_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedPairRevealed(Record):
    """The pair's server seed is public from here on; it played ``rounds_played`` rounds."""

    TYPE: ClassVar[str] = "seed_pair.revealed"
    FAMILY: ClassVar[str] = "revealed"

    pair_id: int = address()
    rounds_played: int

    @property
    def stream(self) -> str:
        return reveal_stream(self.pair_id)
