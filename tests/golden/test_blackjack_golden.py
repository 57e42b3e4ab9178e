"""Golden rounds: blackjack dealt from the croupier-pf-1 stream, replayable by anyone.

Seeds are the fairness spec's worked check (server seed 64 zeros, client seed "player"); the
actions are basic strategy's. A player holding the revealed seeds recomputes these exactly:
shuffle ``canonical_shoe(6)`` by Fisher–Yates on the stream, deal player, dealer up, player,
dealer hole from index 0, then the draws in play order.
"""

from __future__ import annotations

from typing import Any

import pytest

from croupier.adapters.game_files import load_game_data
from croupier.analysis.blackjack_strategy import basic_strategy
from croupier.domain.fairness import ProvablyFairSource, shuffled_shoe
from croupier.domain.games import blackjack as bj
from croupier.domain.games.blackjack_events import event_to_dict

SERVER_SEED = "00" * 32
RULES = bj.parse_rules(load_game_data("blackjack-6d-s17"))

NONCE_0 = [
    {"type": "dealt", "stake_minor": 100, "player_cards": ["Kc", "Qd"], "dealer_upcard": "5h"},
    {"type": "stood", "hand_index": 0, "automatic": False},
    {"type": "hole-card-revealed", "card": "Td"},
    {"type": "dealer-hit", "card": "7c"},
    {
        "type": "settled",
        "dealer_total": 22,
        "dealer_blackjack": False,
        "hand_returns_minor": [200],
        "insurance_return_minor": 0,
        "total_stake_minor": 100,
        "total_return_minor": 200,
    },
]
NONCE_5 = [
    {"type": "dealt", "stake_minor": 100, "player_cards": ["2s", "2s"], "dealer_upcard": "2s"},
    {"type": "split", "hand_index": 0, "stake_minor": 100},
    {"type": "split-card-dealt", "hand_index": 0, "card": "4c"},
    {"type": "hit", "hand_index": 0, "card": "Jh"},
    {"type": "stood", "hand_index": 0, "automatic": False},
    {"type": "split-card-dealt", "hand_index": 1, "card": "3h"},
    {"type": "hit", "hand_index": 1, "card": "Jh"},
    {"type": "stood", "hand_index": 1, "automatic": False},
    {"type": "hole-card-revealed", "card": "Jh"},
    {"type": "dealer-hit", "card": "Jh"},
    {
        "type": "settled",
        "dealer_total": 22,
        "dealer_blackjack": False,
        "hand_returns_minor": [200, 200],
        "insurance_return_minor": 0,
        "total_stake_minor": 200,
        "total_return_minor": 400,
    },
]


@pytest.mark.parametrize(("nonce", "history"), [(0, NONCE_0), (5, NONCE_5)])
def test_provably_fair_round_replays_exactly(nonce: int, history: list[dict[str, Any]]) -> None:
    state, events = bj.start_round(RULES, 100, ProvablyFairSource(SERVER_SEED, "player", nonce))
    played = list(events)
    while not state.is_settled:
        state, events = bj.apply_action(state, basic_strategy(RULES).decide(state))
        played.extend(events)

    assert [event_to_dict(event) for event in played] == history
    fair_shoe = shuffled_shoe(ProvablyFairSource(SERVER_SEED, "player", nonce), 6)
    assert state.shoe == tuple(fair_shoe)
