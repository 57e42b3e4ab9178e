"""What a player's own stream hears of their rounds: the ``player`` channel's round events.

The round's full record lives on ``round:<id>``; the player's stream gets a short notice in
the same linked group, so a client following it sees every round start and settle in order.
"""

from __future__ import annotations

from typing import Any

from croupier.domain.ledger import AppendEvent
from croupier.services.stream.channels import player_stream

__all__ = ["ROUND_OPENED", "settled_notice", "started_notice"]

#: The notice that opens a round on the player's stream: one per round, so round history
#: pages through these.
ROUND_OPENED = "round.started"


def started_notice(player_id: str, round_id: str) -> AppendEvent:
    """``round.started`` for the player's stream."""
    return AppendEvent.create(player_stream(player_id), ROUND_OPENED, {"round_id": round_id})


def settled_notice(
    start: dict[str, Any], *, stake: int, win: int, balance_after: int, jackpot_hit: bool = False
) -> AppendEvent:
    """``round.settled`` for the player's stream. ``balance_after`` is the round record's
    (a jackpot's amount comes on top: the ledger decides it when it applies the group)."""
    return AppendEvent.create(
        player_stream(start["player_id"]),
        "round.settled",
        {
            "round_id": start["round_id"],
            "game_id": start["game_id"],
            "currency": start["currency"],
            "stake": stake,
            "win": win,
            "jackpot_hit": jackpot_hit,
            "balance_after": balance_after,
        },
    )
