"""One asyncio lock per key, held only while someone uses it (memory stays bounded by the
requests in flight, not by every key ever seen).

Uses: the wallet serialises the requests of one idempotency key, so the second of two racing
requests finds the first one's result on the ledger instead of calling a payment provider in
parallel with it; the round service serialises one player's rounds, so a refused round never
fails the nonce claims of the rounds drawn after it. Across processes the ledger's own checks
still decide; these locks only remove the common races.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

__all__ = ["KeyedLocks"]


class KeyedLocks:
    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}  # key -> (lock, users)

    def __len__(self) -> int:
        """Keys held or waited for now."""
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
