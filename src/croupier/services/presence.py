"""Who is connected where: open WebSocket connections per player, against the per-player
cap, counted across every gateway of a deployment (the ``PlayerConnections`` port).

A *holder* is one connection, named uniquely across gateways. A gateway that dies cannot
give its holders back, so a shared adapter keeps each one on a lease the gateway renews
while the connection is open (every ``RENEW_EVERY_S``); a dead gateway's slots free
themselves within ``LEASE_S``. In one process the gateway's own count is exact and nothing
is shared (``CROUPIER_STATE_URL=memory://``); :class:`MemoryPlayerConnections` is the
in-process adapter, the fake its contract test runs beside the Redis one.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final, Protocol

__all__ = ["LEASE_S", "RENEW_EVERY_S", "MemoryPlayerConnections", "PlayerConnections"]

LEASE_S: Final = 60.0
RENEW_EVERY_S: Final = 20.0


class PlayerConnections(Protocol):
    async def take(self, player_id: str, holder: str, limit: int) -> bool:
        """Count ``holder`` against the player; False (and nothing counted) if the player
        holds ``limit`` connections already. Taking again for the same holder: True."""
        ...

    async def release(self, player_id: str, holder: str) -> None:
        """Give the holder's slot back (nothing if it holds none)."""

    async def renew(self, held: Collection[tuple[str, str]]) -> None:
        """``(player_id, holder)`` pairs still open: their leases start again."""

    async def count(self, player_id: str) -> int:
        """The player's open connections, on every gateway (0: not online)."""
        ...


class MemoryPlayerConnections:
    """The port in one process: exact, so without leases."""

    def __init__(self) -> None:
        self._holders: dict[str, set[str]] = {}

    async def take(self, player_id: str, holder: str, limit: int) -> bool:
        holders = self._holders.setdefault(player_id, set())
        if holder in holders:
            return True
        if len(holders) >= limit:
            if not holders:
                del self._holders[player_id]
            return False
        holders.add(holder)
        return True

    async def release(self, player_id: str, holder: str) -> None:
        holders = self._holders.get(player_id)
        if holders is not None:
            holders.discard(holder)
            if not holders:
                del self._holders[player_id]  # an idle player costs nothing

    async def renew(self, held: Collection[tuple[str, str]]) -> None:
        pass  # nothing expires in one process

    async def count(self, player_id: str) -> int:
        return len(self._holders.get(player_id, ()))
