r"""What every game kind offers the round service: one interface, no ``if game == …``.

An *instant* game (slots, roulette) is decided by one draw: the service parses the bet,
draws the outcome from the round's :class:`~croupier.domain.rng.RngSource` and writes the
whole round — stake, win, jackpot, record — in one linked group. A *multi-step* game
(:class:`TableGame`: blackjack; poker tables later) is dealt in one write, then takes one
action per write until it is settled, the settlement inside the last action's write. Its state
is never stored: it is recomputed from the recorded rules, the round's seeds and the recorded
actions, so the kind is a pure state machine (``deal`` then ``act``\ …).

The kinds are pure: no IO, no clock, no randomness but the source they are given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from croupier.domain.games.slots_definition import JackpotRule
from croupier.domain.games.stakes import CurrencyLimits
from croupier.domain.rng import RngSource

__all__ = ["Bet", "InstantGame", "Outcome", "TableGame"]

State = TypeVar("State")


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


class TableGame(Protocol[State]):
    """A game played over several requests: ``deal``, then ``act`` until ``is_settled``.

    Every method is pure; a ``State`` is an immutable value. The round service records the
    deal (``recorded_rules``, the bet, the seeds) and each action's name, and recomputes the
    state from them on every read, so a kind must deal and act identically given the same
    recorded rules, stake, source and actions."""

    @property
    def game_id(self) -> str: ...

    @property
    def version(self) -> int: ...

    def parse_bet(self, request: Mapping[str, Any], currency: str) -> Bet:
        """The opening bet of a request in the player's ``currency``, or ``InvalidBet``."""
        ...

    def recorded_rules(self) -> Mapping[str, Any]:
        """The rules as the deal records them (JSON-ready), so a round is recomputed by the
        rules it was dealt under, whatever the game file says later."""
        ...

    def deal(self, rules: Mapping[str, Any], stake_minor: int, source: RngSource) -> State:
        """The state after the deal, under recorded ``rules``, drawing from ``source``."""
        ...

    def act(self, state: State, action: str) -> State:
        """The state after one action; ``IllegalAction`` (nothing changed) if not legal."""
        ...

    def idle_action(self, state: State) -> str:
        """The action the table takes for a player who left an open round."""
        ...

    def is_settled(self, state: State) -> bool: ...

    def stake_minor(self, state: State) -> int:
        """Everything staked so far (the deal's stake and any added by actions)."""
        ...

    def return_minor(self, state: State) -> int:
        """What a settled round pays back in all (stakes returned included)."""
        ...

    def describe(self, state: State) -> dict[str, Any]:
        """What the player may see of ``state`` (JSON-ready): never what is still hidden."""
        ...
