"""Where events are written: the stream names, ``<family>:<id>``.

Per stream, seqs run 1, 2, 3, … without gaps (the ledger's outbox). A client follows a
stream; a subscriber listens to a family (one subject per family on NATS).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "JACKPOTS_STREAM",
    "LOBBY_STREAM",
    "family_of",
    "pair_stream",
    "player_stream",
    "reveal_stream",
    "round_stream",
]

#: Coalesced jackpot pool values: a state feed (see :mod:`croupier.services.jackpots.ticker`).
JACKPOTS_STREAM: Final = "jackpots:all"
#: What every player may see: jackpot wins, for now.
LOBBY_STREAM: Final = "lobby:main"


def round_stream(round_id: str) -> str:
    """A round's own record: ``round.played``, or a blackjack round's started, actions, settled."""
    return f"round:{round_id}"


def player_stream(player_id: str) -> str:
    """Everything that happens to one player's money and rounds, in order."""
    return f"player:{player_id}"


def pair_stream(pair_id: int) -> str:
    """The ledger stream of a pair's nonces: one ``nonce.used`` per round, seq = nonce + 1."""
    return f"seeds:{pair_id}"


def reveal_stream(pair_id: int) -> str:
    """The ledger stream of a pair's reveal: empty while the pair may be played."""
    return f"revealed:{pair_id}"


def family_of(stream: str) -> str:
    """``player`` of ``player:p1``."""
    return stream.partition(":")[0]
