"""Per player, a round that draws from the seed pair and a rotation of that pair never overlap.

A round takes its nonce from the active pair, then reserves its stake; a rotation reveals the
pair's server seed once no stake of the player is reserved. Checked separately, a rotation
could land between the nonce and the reservation: the round would be dealt from a seed the
player already knows (a blackjack player would see the hole card and the shoe). The gate
makes the two one step: a rotation that finds a round between its nonce and its end is
refused at once (``RoundInProgress``); a round that finds a rotation waits for it and then
draws from the new pair. Rounds of one player still run side by side.

The gate lives in the one process that serves a ledger (a second one stops with
``WriterLocked``); it is not a lock across processes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from croupier.domain.errors import CroupierError

__all__ = ["RoundInProgress", "SeedPairGate"]


class RoundInProgress(CroupierError):
    """The player has a round open (HTTP 409): finish it first."""

    code = "round-in-progress"


@dataclass(slots=True)
class _PlayerGate:
    rounds: int = 0
    rotation: asyncio.Future[None] | None = None


class SeedPairGate:
    def __init__(self) -> None:
        self._players: dict[str, _PlayerGate] = {}  # only players with a round or rotation

    def __len__(self) -> int:
        return len(self._players)

    @asynccontextmanager
    async def round(self, player_id: str) -> AsyncIterator[None]:
        """Held from before the round's nonce is taken until the round is answered."""
        gate = await self._after_rotation(player_id)
        gate.rounds += 1
        try:
            yield
        finally:
            gate.rounds -= 1
            self._forget_if_idle(player_id, gate)

    @asynccontextmanager
    async def rotation(self, player_id: str) -> AsyncIterator[None]:
        """Held while the pair is rotated; ``RoundInProgress`` if a round is drawing from it."""
        gate = await self._after_rotation(player_id)
        if gate.rounds:
            raise RoundInProgress("a round is being played: rotate the seed pair once it ends")
        done = gate.rotation = asyncio.get_running_loop().create_future()
        try:
            yield
        finally:
            gate.rotation = None
            done.set_result(None)
            self._forget_if_idle(player_id, gate)

    async def _after_rotation(self, player_id: str) -> _PlayerGate:
        while True:
            gate = self._players.setdefault(player_id, _PlayerGate())
            if gate.rotation is None:
                return gate
            await asyncio.shield(gate.rotation)  # a cancelled waiter leaves it to the others

    def _forget_if_idle(self, player_id: str, gate: _PlayerGate) -> None:
        if gate.rounds == 0 and gate.rotation is None and self._players.get(player_id) is gate:
            del self._players[player_id]
