"""Instant rounds on the ledger (:class:`~croupier.domain.games.base.InstantGame`: slots,
roulette): drawn in memory, then written whole in the round service's one linked group."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from croupier.domain.accounts.player import Player
from croupier.domain.errors import IllegalAction, InvariantBroken
from croupier.domain.events import RecordedRound, encode
from croupier.domain.games.base import Bet, InstantGame
from croupier.domain.ledger import Command
from croupier.services.fairness.ports import RoundFairness, StoredPair
from croupier.services.jackpots import JackpotPools, house_account, pool_account
from croupier.services.ledger.bets import instant_bet
from croupier.services.rounds.notices import settled_fills, settled_notice, started_notice
from croupier.services.rounds.opening import RoundOpening

__all__ = ["InstantRounds"]

_log = logging.getLogger("croupier.rounds")


class InstantRounds:
    """The rounds of every instant game: one write each, nothing to act on or recover."""

    def __init__(self, games: Mapping[str, InstantGame], jackpots: JackpotPools) -> None:
        self.games = dict(games)
        self.jackpots = jackpots

    def parse_bet(self, game_id: str, request: Mapping[str, Any], currency: str) -> Bet:
        return self.games[game_id].parse_bet(request, currency)

    def version_of(self, game_id: str) -> int:
        return self.games[game_id].version

    async def prepare(self, player: Player, game_id: str) -> int:
        """Seed the game's jackpot pool in the player's currency at its first round."""
        game = self.games[game_id]
        if game.jackpot is not None:
            await self.jackpots.ensure_seeded(game_id, player.currency, game.jackpot)
        return 0

    def write(
        self, player: Player, opening: RoundOpening, fair: RoundFairness, prepared: int
    ) -> list[Command]:
        """Draw and settle the round; its whole write after the nonce's claim: the stake,
        the contribution, the win (and a jackpot payout), its record and its notices."""
        game = self.games[opening.game_id]
        outcome = game.play(opening.bet, fair.source)
        played = opening.played(fair, outcome)
        round_id, currency = opening.round_id, player.currency
        jackpot = (
            pool_account(game.game_id, currency) if outcome.jackpot_contribution_minor else None
        )
        return [
            *instant_bet(
                round_id,
                player_account=player.cash_account_id,
                house_account=house_account(currency),
                jackpot_account=jackpot,
                currency=currency,
                stake_minor=played.stake,
                contribution_minor=played.jackpot_contribution,
                win_minor=played.win,
            ),
            *self._jackpot_payout(round_id, game, player, outcome.jackpot_hit),
            encode(played, **settled_fills(played, jackpot_hit=outcome.jackpot_hit)),
            started_notice(player.player_id, round_id),
            settled_notice(
                played, stake=played.stake, win=played.win, jackpot_hit=outcome.jackpot_hit
            ),
        ]

    def _jackpot_payout(
        self, round_id: str, game: InstantGame, player: Player, hit: bool
    ) -> list[Command]:
        if not hit:
            return []
        if game.jackpot is None:
            raise InvariantBroken(f"{game.game_id} drew a jackpot hit but has no jackpot rule")
        return self.jackpots.payout(
            round_id, game.game_id, player.currency, player.cash_account_id, game.jackpot
        )

    async def resume(self, round_id: str) -> bool:
        """An instant round is whole once written: nothing to finish."""
        return False

    async def act(self, round_id: str, player_id: str, key: str, action: str) -> None:
        raise IllegalAction("this round takes no actions")

    async def stand_if_idle(self, round_id: str, *, now_ms: int, idle_ms: int) -> bool:
        return False

    async def recover(self, round_id: str, game_id: str) -> int:
        """A reserved stake of an instant round can only come from a ledger written by a
        version that settled in two writes; it stays reserved (never lost), for the operator."""
        _log.error("round %s (%s) has a reserved stake from an older version", round_id, game_id)
        return 0

    async def fill_view(
        self, body: dict[str, Any], recorded: RecordedRound, pair: StoredPair | None
    ) -> dict[str, Any] | None:
        """``None``: an instant round's record says it all (recall renders it)."""
        return None
