"""The per-player connection cap across gateways: each authenticated connection holds a
slot of the shared :class:`~croupier.services.presence.PlayerConnections` port, named
``<gateway>:<n>`` (unique across gateways), renewed while it is open and given back when it
closes. Only with shared state (``CROUPIER_STATE_URL=redis://…``): in one process the
gateway's own :class:`~croupier.api.ws.admission.Admission` counts players exactly.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
from collections.abc import Hashable

from croupier.services.presence import RENEW_EVERY_S, PlayerConnections

__all__ = ["SharedPlayerCap"]

_log = logging.getLogger("croupier.ws")


class SharedPlayerCap:
    def __init__(
        self, connections: PlayerConnections, limit: int, *, renew_every_s: float = RENEW_EVERY_S
    ) -> None:
        self.connections = connections
        self.limit = limit
        self.renew_every_s = renew_every_s
        self._gateway = secrets.token_hex(8)
        self._numbers = itertools.count(1)
        self._held: dict[Hashable, tuple[str, str]] = {}  # connection -> player, holder
        self._releasing: set[asyncio.Task[None]] = set()

    async def admit(self, connection: Hashable, player_id: str) -> bool:
        """Take a slot for ``connection`` (again for its player: True at once); False if
        the player holds the cap on the gateways together. Raises ``Unavailable`` when the
        shared state cannot be reached."""
        held = self._held.get(connection)
        if held is not None and held[0] == player_id:
            return True
        holder = f"{self._gateway}:{next(self._numbers)}"
        if not await self.connections.take(player_id, holder, self.limit):
            return False
        self._held[connection] = (player_id, holder)
        return True

    def release(self, connection: Hashable) -> None:
        """Give back the connection's slot (a no-op when it holds none), in the background:
        a close must not wait on Redis; a lost release ends with the lease."""
        held = self._held.pop(connection, None)
        if held is None:
            return
        task = asyncio.get_running_loop().create_task(self._release(*held))
        self._releasing.add(task)
        task.add_done_callback(self._releasing.discard)

    async def _release(self, player_id: str, holder: str) -> None:
        try:
            await self.connections.release(player_id, holder)
        except Exception:
            _log.warning("giving back a player's connection slot failed", exc_info=True)

    async def renew_forever(self) -> None:
        """Renew the leases of every slot this gateway holds, every ``renew_every_s``."""
        while True:
            await asyncio.sleep(self.renew_every_s)
            try:
                await self.connections.renew(list(self._held.values()))
            except Exception:  # Redis away for a while: leases last three periods
                _log.warning("renewing the players' connection slots failed", exc_info=True)

    async def close(self) -> None:
        """Give back every slot (a clean shutdown frees them before their leases end)."""
        for connection in list(self._held):
            self.release(connection)
        await asyncio.gather(*self._releasing, return_exceptions=True)
