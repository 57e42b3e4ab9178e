"""What every game kind offers the round service: one interface, no ``if game == …``.

An *instant* game (slots, roulette) is decided by one draw: the service parses the bet,
draws the outcome from the round's :class:`~croupier.domain.rng.RngSource` and writes the
whole round — stake, win, jackpot, record — in one linked group. A *multi-step* game
(blackjack; poker tables later) adds actions between the deal and the settlement and lives
in its own service.

The kinds are pure: no IO, no clock, no randomness but the source they are given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from croupier.domain.games.slots_definition import JackpotRule
from croupier.domain.games.stakes import CurrencyLimits
from croupier.domain.rng import RngSource

__all__ = ["Bet", "InstantGame", "Outcome"]


@dataclass(frozen=True, slots=True)
class Bet:
    """A validated bet: the total stake and the player's choices as the round records them."""

    stake_minor: int
    choices: Any  # JSON-ready; shown back in game recall


@dataclass(frozen=True, slots=True)
class Outcome:
    """A drawn and settled round: what it pays and what recall shows."""

    win_minor: int
    jackpot_contribution_minor: int
    jackpot_hit: bool
    shown: dict[str, Any]  # JSON-ready


class InstantGame(Protocol):
    """A game decided by a single draw."""

    @property
    def game_id(self) -> str: ...

    @property
    def version(self) -> int: ...

    @property
    def jackpot(self) -> JackpotRule | None:
        """The progressive jackpot this game feeds and may pay, if any."""
        ...

    @property
    def limits(self) -> CurrencyLimits:
        """The stake limits in each currency the game plays in (roulette: per bet)."""
        ...

    def parse_bet(self, request: Mapping[str, Any], currency: str) -> Bet:
        """The bet of a request in the player's ``currency``, or ``InvalidBet`` (a currency
        the game does not list: ``CurrencyNotOffered``) before anything moves."""
        ...

    def play(self, bet: Bet, source: RngSource) -> Outcome:
        """Draw the outcome from ``source`` and settle ``bet`` against it."""
        ...
