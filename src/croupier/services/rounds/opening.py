"""The request that opened a round, and the records the round service builds from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from croupier.domain.events import RecordedFairness, RoundPlayed, RoundStarted
from croupier.domain.games.base import Bet, Outcome
from croupier.services.fairness.ports import RoundFairness

__all__ = ["RoundOpening", "recorded_fairness"]


@dataclass(frozen=True, slots=True)
class RoundOpening:
    """What every round records of the request that opened it: its id (from the player and
    the Idempotency-Key), game, currency, bet and the request's fingerprint."""

    round_id: str
    player_id: str
    game_id: str
    game_version: int
    currency: str
    bet: Bet
    request_fingerprint: str

    def played(self, fair: RoundFairness, outcome: Outcome) -> RoundPlayed:
        """An instant round's whole record, drawn with ``fair``, as stored: version 2, without
        what can be derived again (see :mod:`croupier.domain.events.rounds`)."""
        return RoundPlayed(
            round_id=self.round_id,
            player_id=self.player_id,
            game_id=self.game_id,
            game_version=self.game_version,
            currency=self.currency,
            stake=self.bet.stake_minor,
            choices=self.bet.choices,
            request_fingerprint=self.request_fingerprint,
            fairness=recorded_fairness(fair),
            outcome=outcome.shown,
            win=outcome.win_minor,
            jackpot_contribution=outcome.jackpot_contribution_minor,
        ).compact()

    def dealt(
        self, fair: RoundFairness, balance_before: int, rules: Mapping[str, Any]
    ) -> RoundStarted:
        """A blackjack deal's record, with the table's ``rules`` and the balance before it."""
        return RoundStarted(
            round_id=self.round_id,
            player_id=self.player_id,
            game_id=self.game_id,
            game_version=self.game_version,
            currency=self.currency,
            stake=self.bet.stake_minor,
            choices=self.bet.choices,
            request_fingerprint=self.request_fingerprint,
            fairness=recorded_fairness(fair),
            balance_before=balance_before,
            rules=rules,
        )


def recorded_fairness(fair: RoundFairness) -> RecordedFairness:
    """What the round records of its fairness inputs (the server seed only as its hash)."""
    return RecordedFairness(
        pair_id=fair.pair_id,
        server_seed_hash=fair.server_seed_hash,
        client_seed=fair.client_seed,
        nonce=fair.nonce,
    )
