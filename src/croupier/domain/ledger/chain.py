"""Tamper evidence: each committed batch is hashed together with the hash of the batch before.

``hash(n) = SHA-256(canonical_json([n, hash(n-1), timestamp_ms, accounts, transfers]))``
where accounts and transfers are listed in the order they were applied. Changing, removing or
reordering any committed row breaks every hash after it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from croupier.domain.ledger.accounts import Account
from croupier.domain.ledger.events import Event
from croupier.domain.ledger.transfers import Transfer, canonical_json

__all__ = ["GENESIS_HASH", "BatchRecord", "batch_hash", "canonical_content"]

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class BatchRecord:
    """One durable commit: what it contained and where it sits in the chain."""

    seq: int
    prev_hash: str
    hash: str
    timestamp_ms: int
    accounts: tuple[Account, ...]
    transfers: tuple[Transfer, ...]
    events: tuple[Event, ...] = ()

    @classmethod
    def seal(
        cls,
        seq: int,
        prev_hash: str,
        timestamp_ms: int,
        accounts: Sequence[Account],
        transfers: Sequence[Transfer],
        events: Sequence[Event] = (),
    ) -> BatchRecord:
        content = canonical_content(seq, prev_hash, timestamp_ms, accounts, transfers, events)
        return cls(
            seq,
            prev_hash,
            _sha256(content),
            timestamp_ms,
            tuple(accounts),
            tuple(transfers),
            tuple(events),
        )


def canonical_content(
    seq: int,
    prev_hash: str,
    timestamp_ms: int,
    accounts: Sequence[Account],
    transfers: Sequence[Transfer],
    events: Sequence[Event] = (),
) -> str:
    """``[seq, prev_hash, timestamp_ms, [[account…]…], [[transfer…]…], [[event…]…]]`` as
    canonical JSON (the events list only when the batch has events)."""
    content = [
        seq,
        prev_hash,
        timestamp_ms,
        [[a.id, a.kind.value, a.currency, a.floor_minor] for a in accounts],
        transfers,  # named tuples: JSON arrays in field order
    ]
    if events:
        content.append(events)
    return canonical_json(content)


def batch_hash(
    seq: int,
    prev_hash: str,
    timestamp_ms: int,
    accounts: Sequence[Account],
    transfers: Sequence[Transfer],
    events: Sequence[Event] = (),
) -> str:
    return _sha256(canonical_content(seq, prev_hash, timestamp_ms, accounts, transfers, events))


def _sha256(content: str) -> str:
    return hashlib.sha256(content.encode("ascii")).hexdigest()
