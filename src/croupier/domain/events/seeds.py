"""A seed pair's records on the ledger: the nonces it handed out, and its reveal.

A round claims nonce ``n`` of its pair with :class:`NonceUsed` on ``seeds:<pair>``, appended
at ``expected_seq = n`` in the round's own group; a rotation appends
:class:`SeedPairRevealed` on ``revealed:<pair>`` (see :mod:`croupier.services.fairness`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from croupier.domain.events.base import Record, address
from croupier.domain.events.streams import pair_stream, reveal_stream

__all__ = ["NonceUsed", "SeedPairRevealed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class NonceUsed(Record):
    """Nonce ``seq - 1`` of the pair went to ``round_id``."""

    TYPE: ClassVar[str] = "nonce.used"
    FAMILY: ClassVar[str] = "seeds"

    pair_id: int = address()
    round_id: str

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
