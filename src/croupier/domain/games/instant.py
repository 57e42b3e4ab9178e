"""The instant game kinds: data-defined slots and European roulette behind
:class:`~croupier.domain.games.base.InstantGame`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from croupier.domain.errors import InvalidBet
from croupier.domain.games import roulette
from croupier.domain.games.base import Bet, Outcome
from croupier.domain.games.slots import SlotGame
from croupier.domain.games.slots_definition import JackpotRule
from croupier.domain.rng import RngSource

__all__ = ["ROULETTE_ID", "RouletteKind", "RouletteLimits", "SlotKind"]

ROULETTE_ID = "european-roulette"


class SlotKind:
    """A slot from its data file; stakes are checked against the file's limits."""

    def __init__(self, game: SlotGame) -> None:
        self.game = game

    @property
    def game_id(self) -> str:
        return self.game.game_id

    @property
    def version(self) -> int:
        return int(self.game.definition.version)

    @property
    def jackpot(self) -> JackpotRule | None:
        return self.game.definition.jackpot

    def parse_bet(self, request: Mapping[str, Any], currency: str) -> Bet:
        if request.get("bets") is not None:
            raise InvalidBet("a slot takes a stake, not bets")
        stake = request.get("stake")
        self.game.check_stake(stake)  # type: ignore[arg-type]
        return Bet(int(stake), {"stake": stake})  # type: ignore[arg-type]

    def play(self, bet: Bet, source: RngSource) -> Outcome:
        played = self.game.play_round(source)
        return Outcome(
            win_minor=played.settle(bet.stake_minor),
            jackpot_contribution_minor=self.game.jackpot_contribution_minor(bet.stake_minor),
            jackpot_hit=played.jackpot_hit,
            shown={
                "stops": list(played.stops),
                "window": [list(row) for row in played.window],
                "free_spins": len(played.free_spins),
                "jackpot_hit": played.jackpot_hit,
                "win_multiplier": str(played.win_multiplier),
            },
        )


@dataclass(frozen=True, slots=True)
class RouletteLimits:
    bets_max: int = 20
    stake_minor_min: int = 10
    stake_minor_max: int = 100_000


class RouletteKind:
    """European roulette: up to ``bets_max`` bets on the layout, each within the limits."""

    game_id = ROULETTE_ID
    version = 1
    jackpot = None

    def __init__(self, limits: RouletteLimits) -> None:
        self.limits = limits

    def parse_bet(self, request: Mapping[str, Any], currency: str) -> Bet:
        if request.get("stake") is not None:
            raise InvalidBet("roulette takes bets, each with its stake, not a stake")
        bets = request.get("bets")
        if not isinstance(bets, list) or not 1 <= len(bets) <= self.limits.bets_max:
            raise InvalidBet(f"roulette takes 1 to {self.limits.bets_max} bets")
        try:
            parsed = [roulette.parse_bet(b["type"], b.get("numbers", []), b["stake"]) for b in bets]
        except (KeyError, TypeError, AttributeError):
            raise InvalidBet("each bet needs a type, its numbers and a stake") from None
        low, high = self.limits.stake_minor_min, self.limits.stake_minor_max
        if any(not low <= bet.stake_minor <= high for bet in parsed):
            raise InvalidBet(f"each roulette stake must be {low} to {high} minor units")
        choices = [
            {"type": b.type.value, "numbers": list(b.numbers), "stake": b.stake_minor}
            for b in parsed
        ]
        return Bet(sum(b.stake_minor for b in parsed), choices)

    def play(self, bet: Bet, source: RngSource) -> Outcome:
        bets = [roulette.parse_bet(b["type"], b["numbers"], b["stake"]) for b in bet.choices]
        pocket = roulette.spin(source)
        return Outcome(sum(roulette.settle(bets, pocket)), 0, False, {"pocket": pocket})
