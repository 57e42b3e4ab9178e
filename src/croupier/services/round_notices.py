"""What a player's own stream hears of their rounds: the ``player`` channel's round events.

The round's full record lives on ``round:<id>``; the player's stream gets a short notice in
the same linked group, so a client following it sees every round start and settle in order.
"""

from __future__ import annotations

from typing import Any, TypedDict

from croupier.domain.accounts.player import cash_account_id
from croupier.domain.ledger import AppendEvent
from croupier.services.jackpots import jackpot_win_id
from croupier.services.stream.channels import player_stream

__all__ = [
    "ROUND_OPENED",
    "SettledFills",
    "settled_fills",
    "settled_notice",
    "started_notice",
]

#: The notice that opens a round on the player's stream: one per round, so round history
#: pages through these.
ROUND_OPENED = "round.started"


def started_notice(player_id: str, round_id: str) -> AppendEvent:
    """``round.started`` for the player's stream."""
    return AppendEvent.create(player_stream(player_id), ROUND_OPENED, {"round_id": round_id})


def settled_notice(
    start: dict[str, Any], *, stake: int, win: int, jackpot_hit: bool = False
) -> AppendEvent:
    """``round.settled`` for the player's stream, in the settling group. The ledger fills in
    ``balance_after`` (the player's available cash once the group is applied, whatever else
    ran in the same batch) and, on a hit, ``jackpot_win`` (what the pool paid)."""
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
        },
        **settled_fills(start, jackpot_hit=jackpot_hit),
    )


class SettledFills(TypedDict):
    """``AppendEvent.create`` keywords: what the ledger writes into a ``round.settled``."""

    balances: dict[str, str]
    amounts: dict[str, str]


def settled_fills(start: dict[str, Any], *, jackpot_hit: bool) -> SettledFills:
    """What the ledger fills into a ``round.settled`` (the round's record and the notice)."""
    return SettledFills(
        balances={"balance_after": cash_account_id(start["player_id"])},
        amounts={"jackpot_win": jackpot_win_id(start["round_id"])} if jackpot_hit else {},
    )
