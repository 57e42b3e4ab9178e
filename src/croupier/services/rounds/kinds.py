"""What the round service asks of each family of game kinds: the one lookup it makes per
request, so it never branches on a game. :class:`~croupier.services.rounds.instant.InstantRounds`
and :class:`~croupier.services.rounds.tables.TableRounds` implement it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from croupier.domain.accounts.player import Player
from croupier.domain.events import RecordedRound
from croupier.domain.games.base import Bet
from croupier.domain.ledger import Command
from croupier.services.fairness.ports import RoundFairness, StoredPair
from croupier.services.rounds.opening import RoundOpening

__all__ = ["RoundsOfKind"]


class RoundsOfKind(Protocol):
    def parse_bet(self, game_id: str, request: Mapping[str, Any], currency: str) -> Bet:
        """The bet, or a refusal before anything moves."""
        ...

    def version_of(self, game_id: str) -> int: ...

    async def prepare(self, player: Player, game_id: str) -> int:
        """Reads before the round's write (outside the player's turn); what ``write`` needs."""
        ...

    def write(
        self, player: Player, opening: RoundOpening, fair: RoundFairness, prepared: int
    ) -> list[Command]:
        """The round's first (for an instant round, only) write, after the nonce's claim."""
        ...

    async def resume(self, round_id: str) -> bool:
        """Finish what a cut-off request left undone, when its key comes again."""
        ...

    async def act(self, round_id: str, player_id: str, key: str, action: str) -> None: ...

    async def stand_if_idle(self, round_id: str, *, now_ms: int, idle_ms: int) -> bool: ...

    async def recover(self, round_id: str, game_id: str) -> int:
        """At start, for a round whose stake is still reserved: how many were settled."""
        ...

    async def fill_view(
        self, body: dict[str, Any], recorded: RecordedRound, pair: StoredPair | None
    ) -> dict[str, Any] | None:
        """The view of a round whose state is not all in its records; ``None`` if it is."""
        ...
