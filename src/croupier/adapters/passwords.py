"""Password hashing with argon2id (argon2-cffi), off the event loop.

Default parameters: OWASP's first argon2id configuration, m=19 MiB, t=2, p=1. RFC 9106's
profile (argon2-cffi's own default, m=64 MiB, t=3, p=4) cost 145 ms a verification here and
7 logins/s on two cores, which makes logins a cheap way to exhaust the CPU; OWASP's takes
20 ms and allows 44/s (figures in docs/accounts.md). Operators who want more pass other
costs; :meth:`needs_rehash` tells when a stored hash was made with other parameters, and
the service re-hashes it at the player's next login.

One hash holds ``memory_cost_kib`` of RAM, so hashes run on a pool of ``concurrent_max``
threads: that bounds both the CPU a login flood can take and the memory. At most
``waiting_max`` hashes wait or run at once; beyond, a request is refused at once (``Busy``,
HTTP 503) rather than queued behind a flood for ever longer. argon2 releases the GIL while it
works. Tests pass tiny costs to the constructor.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

from croupier.domain.errors import Busy

__all__ = ["Argon2PasswordHasher"]

T = TypeVar("T")


class Argon2PasswordHasher:
    """argon2id with the given costs; implements ``croupier.services.accounts.PasswordHasher``."""

    def __init__(
        self,
        *,
        time_cost: int = 2,
        memory_cost_kib: int = 19_456,
        parallelism: int = 1,
        concurrent_max: int = 4,
        waiting_max: int = 256,
    ) -> None:
        if not 1 <= concurrent_max <= 64:
            raise ValueError("concurrent_max must be in 1..64")
        if not concurrent_max <= waiting_max <= 100_000:
            raise ValueError("waiting_max must be in concurrent_max..100000")
        self.waiting_max = waiting_max
        self._waiting = 0
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=argon2.Type.ID,
        )
        self._pool = ThreadPoolExecutor(concurrent_max, thread_name_prefix="argon2")

    async def hash(self, password: str) -> str:
        return await self._run(self._hasher.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        return await self._run(self._verify, password_hash, password)

    async def _run(self, work: Callable[..., T], *args: str) -> T:
        if self._waiting >= self.waiting_max:
            raise Busy("too many logins and registrations at once: retry shortly")
        self._waiting += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, work, *args)
        finally:
            self._waiting -= 1

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except (InvalidHashError, ValueError):
            return True

    def close(self) -> None:
        """Stop the hashing threads (waits for running hashes)."""
        self._pool.shutdown(wait=True)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            # VerifyMismatchError is a VerificationError: a wrong password, not a fault.
            return False
