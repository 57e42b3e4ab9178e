"""The instant game kinds: data-defined slots and European roulette behind
:class:`~croupier.domain.games.base.InstantGame`, each with its stake limits per currency
from its game file (:mod:`croupier.domain.games.stakes`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from croupier.domain.errors import GameDefinitionError, InvalidBet
from croupier.domain.games import roulette
from croupier.domain.games.base import Bet, Outcome
from croupier.domain.games.slots import SlotGame
from croupier.domain.games.slots_definition import JackpotRule
from croupier.domain.games.stakes import CurrencyLimits, parse_limits
from croupier.domain.rng import RngSource

__all__ = ["RouletteKind", "RouletteRules", "SlotKind", "parse_roulette"]


class SlotKind:
    """A slot from its data file; a stake is checked against the file's limits in the
    player's currency, and must be a whole number of line bets."""

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

    @property
    def limits(self) -> CurrencyLimits:
        return self.game.definition.limits

    def parse_bet(self, request: Mapping[str, Any], currency: str) -> Bet:
        if request.get("bets") is not None:
            raise InvalidBet("a slot takes a stake, not bets")
        stake = self.limits.check(request.get("stake"), currency)
        self.game.check_stake(stake)  # a whole number of line bets
        return Bet(stake, {"stake": stake})

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
class RouletteRules:
    """A roulette game file: at most ``bets_max`` bets a round, each within ``limits`` (per
    bet, in the player's currency)."""

    game_id: str
    name: str
    version: int
    bets_max: int
    limits: CurrencyLimits


#: Bets one round may hold, whatever a file says: bounds a round's record and its work.
ROULETTE_BETS_LIMIT = 20
_ROULETTE_KEYS = frozenset({"id", "name", "version", "kind", "rules", "limits"})


def parse_roulette(data: Mapping[str, Any]) -> RouletteRules:
    """Validate a roulette game file; :class:`GameDefinitionError` names the bad field."""
    if data.get("kind") != "roulette":
        raise GameDefinitionError(f"kind: expected 'roulette', got {data.get('kind')!r}")
    unknown = sorted(set(data) - _ROULETTE_KEYS)
    if unknown:
        raise GameDefinitionError(f"{unknown[0]}: unknown field")
    rules = data.get("rules", {})
    if not isinstance(rules, Mapping) or set(rules) - {"bets_max"}:
        raise GameDefinitionError("rules: a table with bets_max only")
    bets_max = rules.get("bets_max", ROULETTE_BETS_LIMIT)
    if isinstance(bets_max, bool) or not isinstance(bets_max, int):
        raise GameDefinitionError(f"rules.bets_max: expected an integer, got {bets_max!r}")
    if not 1 <= bets_max <= ROULETTE_BETS_LIMIT:
        raise GameDefinitionError(f"rules.bets_max: must be 1 to {ROULETTE_BETS_LIMIT}")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise GameDefinitionError(f"version: expected a positive integer, got {version!r}")
    names = {key: data.get(key) for key in ("id", "name")}
    for key, value in names.items():
        if not isinstance(value, str) or not value.strip():
            raise GameDefinitionError(f"{key}: expected a non-empty string")
    return RouletteRules(
        str(names["id"]), str(names["name"]), version, bets_max, parse_limits(data)
    )


class RouletteKind:
    """European roulette: up to ``bets_max`` bets on the layout, each within the limits of
    the player's currency."""

    jackpot = None

    def __init__(self, rules: RouletteRules) -> None:
        self.rules = rules

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> RouletteKind:
        return cls(parse_roulette(data))

    @property
    def game_id(self) -> str:
        return self.rules.game_id

    @property
    def version(self) -> int:
        return self.rules.version

    @property
    def limits(self) -> CurrencyLimits:
        return self.rules.limits

    def parse_bet(self, request: Mapping[str, Any], currency: str) -> Bet:
        self.limits.range_of(currency)  # refused first: nothing else in the bet can fix it
        if request.get("stake") is not None:
            raise InvalidBet("roulette takes bets, each with its stake, not a stake")
        bets = request.get("bets")
        bets_max = self.rules.bets_max
        if not isinstance(bets, list) or not 1 <= len(bets) <= bets_max:
            raise InvalidBet(f"roulette takes 1 to {bets_max} bets")
        try:
            parsed = [roulette.parse_bet(b["type"], b.get("numbers", []), b["stake"]) for b in bets]
        except (KeyError, TypeError, AttributeError):
            raise InvalidBet("each bet needs a type, its numbers and a stake") from None
        for bet in parsed:
            self.limits.check(bet.stake_minor, currency, what="a roulette stake")
        choices = [
            {"type": b.type.value, "numbers": list(b.numbers), "stake": b.stake_minor}
            for b in parsed
        ]
        return Bet(sum(b.stake_minor for b in parsed), choices)

    def play(self, bet: Bet, source: RngSource) -> Outcome:
        bets = [roulette.parse_bet(b["type"], b["numbers"], b["stake"]) for b in bet.choices]
        pocket = roulette.spin(source)
        return Outcome(sum(roulette.settle(bets, pocket)), 0, False, {"pocket": pocket})
