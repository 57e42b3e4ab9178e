"""What a player's own stream hears of their rounds: the ``player`` channel's round events.

The round's full record lives on ``round:<id>``; the player's stream gets a short notice in
the same linked group, so a client following it sees every round start and settle in order.
"""

from __future__ import annotations

from typing import Final, TypedDict

from croupier.domain.accounts.player import cash_account_id
from croupier.domain.events import (
    RoundPlayed,
    RoundSettledNotice,
    RoundStarted,
    RoundStartedNotice,
    encode,
)
from croupier.domain.ledger import AppendEvent
from croupier.services.jackpots import jackpot_win_id

__all__ = [
    "ROUND_OPENED",
    "SettledFills",
    "settled_fills",
    "settled_notice",
    "started_notice",
]

#: The notice that opens a round on the player's stream: one per round, so round history
#: pages through these.
ROUND_OPENED: Final = RoundStartedNotice.TYPE


def started_notice(player_id: str, round_id: str) -> AppendEvent:
    """``round.started`` for the player's stream."""
    return encode(RoundStartedNotice(player_id=player_id, round_id=round_id))


def settled_notice(
    start: RoundPlayed | RoundStarted, *, stake: int, win: int, jackpot_hit: bool = False
) -> AppendEvent:
    """``round.settled`` for the player's stream, in the settling group. The ledger fills in
    ``balance_after`` (the player's available cash once the group is applied, whatever else
    ran in the same batch) and, on a hit, ``jackpot_win`` (what the pool paid)."""
    notice = RoundSettledNotice(
        player_id=start.player_id,
        round_id=start.round_id,
        game_id=start.game_id,
        currency=start.currency,
        stake=stake,
        win=win,
        jackpot_hit=jackpot_hit,
    )
    return encode(notice, **settled_fills(start, jackpot_hit=jackpot_hit))


class SettledFills(TypedDict):
    """``encode`` keywords: what the ledger writes into a round's settlement."""

    balances: dict[str, str]
    amounts: dict[str, str]


def settled_fills(start: RoundPlayed | RoundStarted, *, jackpot_hit: bool) -> SettledFills:
    """What the ledger fills into a settlement (the round's record and the notice)."""
    return SettledFills(
        balances={"balance_after": cash_account_id(start.player_id)},
        amounts={"jackpot_win": jackpot_win_id(start.round_id)} if jackpot_hit else {},
    )
