"""Rotate every active seed pair: after a point-in-time restore (docs/operations.md, "Backup
and point-in-time restore"), a pair that played rounds after the target would deal the same
outcomes again for the same nonces, and a pair rotated after it has a server seed its player
has already seen. A new server seed for everyone ends both."""

from __future__ import annotations

from dataclasses import dataclass, field

from croupier.domain.errors import RoundInProgress
from croupier.services.accounts.ports import PlayerStore
from croupier.services.fairness.ports import SeedPairStore
from croupier.services.rounds.service import RoundService

__all__ = ["RotatedAll", "rotate_every_pair"]


@dataclass
class RotatedAll:
    rotated: list[str] = field(default_factory=list)
    #: Players with a round open: rotating would show its outcome, so they are left to the
    #: operator (finish or void the round, then rotate).
    open_rounds: list[str] = field(default_factory=list)


async def rotate_every_pair(
    rounds: RoundService, players: PlayerStore, seed_pairs: SeedPairStore
) -> RotatedAll:
    result = RotatedAll()
    for player_id in await seed_pairs.active_player_ids():
        player = await players.get_player(player_id)
        if player is None:  # a pair outlives nothing: players are never deleted
            continue
        try:
            await rounds.rotate_seeds(player)
        except RoundInProgress:
            result.open_rounds.append(player_id)
        else:
            result.rotated.append(player_id)
    return result
