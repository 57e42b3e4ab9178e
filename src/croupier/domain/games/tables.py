"""The multi-step game kinds behind :class:`~croupier.domain.games.base.TableGame`: blackjack.

A poker table fits the same verbs (see ``docs/games.md``); it is not played here yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from croupier.domain.errors import CurrencyNotOffered, IllegalAction, InvalidBet
from croupier.domain.games.base import Bet
from croupier.domain.games.blackjack import (
    Action,
    HandStatus,
    Phase,
    RoundState,
    apply_action,
    legal_actions,
    start_round,
)
from croupier.domain.games.blackjack_rules import BlackjackRules, parse_rules
from croupier.domain.rng import RngSource

__all__ = ["BlackjackKind"]


class BlackjackKind:
    """A blackjack table from its rules file: one player's hand(s) against the dealer."""

    version = 1

    def __init__(self, rules: BlackjackRules) -> None:
        self.rules = rules

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> BlackjackKind:
        return cls(parse_rules(data))

    @property
    def game_id(self) -> str:
        return self.rules.game_id

    def parse_bet(self, request: Mapping[str, Any], currency: str) -> Bet:
        """The stake, checked against the table's limits before anything moves."""
        rules = self.rules
        stake = request.get("stake")
        if set(request) - {"stake"}:
            raise InvalidBet("blackjack takes only a stake")
        if currency != rules.currency:  # its limits are in that currency's minor units
            raise CurrencyNotOffered(f"this table plays in {rules.currency}, not {currency}")
        if isinstance(stake, bool) or not isinstance(stake, int):
            raise InvalidBet("blackjack needs a stake in minor units")
        if not rules.stake_min_minor <= stake <= rules.stake_max_minor:
            raise InvalidBet(
                f"the stake must be {rules.stake_min_minor} to {rules.stake_max_minor} minor units"
            )
        return Bet(stake, {"stake": stake})

    def recorded_rules(self) -> Mapping[str, Any]:
        return self.rules.to_data()

    def deal(self, rules: Mapping[str, Any], stake_minor: int, source: RngSource) -> RoundState:
        return start_round(parse_rules(rules), stake_minor, source).state

    def act(self, state: RoundState, action: str) -> RoundState:
        try:
            chosen = Action(action)
        except ValueError:
            raise IllegalAction(f"no blackjack action {action!r}") from None
        return apply_action(state, chosen).state  # IllegalAction, nothing changed

    def idle_action(self, state: RoundState) -> str:
        """Decline insurance if offered, else stand: never a decision that adds a stake."""
        if Action.DECLINE_INSURANCE in legal_actions(state):
            return Action.DECLINE_INSURANCE.value
        return Action.STAND.value

    def is_settled(self, state: RoundState) -> bool:
        return state.is_settled

    def stake_minor(self, state: RoundState) -> int:
        return state.total_stake_minor

    def return_minor(self, state: RoundState) -> int:
        return state.total_return_minor

    def describe(self, state: RoundState) -> dict[str, Any]:
        """What the player may see: never the shoe, and the hole card only once settled."""
        hands = [
            {
                "cards": list(hand.cards),
                "total": hand.total,
                "stake": hand.stake_minor,
                "status": hand.status.value,
                "doubled": hand.doubled,
                "from_split": hand.from_split,
                "blackjack": hand.is_blackjack,
            }
            for hand in state.hands
        ]
        outcome: dict[str, Any] = {
            "phase": state.phase.value,
            "hands": hands,
            "active_hand": state.active_hand_index if state.phase is Phase.PLAYER else None,
            "insurance_offered": state.phase is Phase.INSURANCE,
            "insurance_stake": state.insurance_stake_minor,
            "legal_actions": [action.value for action in legal_actions(state)],
        }
        settlement = state.settlement
        if not state.is_settled or settlement is None:
            outcome["dealer"] = {"up_card": state.dealer_upcard, "cards": [state.dealer_upcard]}
            return outcome
        outcome["dealer"] = {
            "up_card": state.dealer_upcard,
            "cards": list(state.dealer_cards),
            "total": settlement.dealer_total,
            "blackjack": settlement.dealer_blackjack,
        }
        outcome["hand_returns"] = list(settlement.hand_returns_minor)
        outcome["insurance_return"] = settlement.insurance_return_minor
        outcome["surrendered"] = any(h.status is HandStatus.SURRENDERED for h in state.hands)
        return outcome
