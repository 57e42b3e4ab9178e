"""The streams a client can follow, by name. A stream is ``<family>:<id>``; its family is
what a subscriber listens to (one subject per family on NATS)."""

from __future__ import annotations

__all__ = ["JACKPOTS_STREAM", "LOBBY_STREAM", "family_of", "player_stream"]

#: Coalesced jackpot pool values: a state feed (see :mod:`croupier.services.jackpot_ticker`).
JACKPOTS_STREAM = "jackpots:all"
#: What every player may see: jackpot wins, for now.
LOBBY_STREAM = "lobby:main"


def player_stream(player_id: str) -> str:
    """Everything that happens to one player's money and rounds, in order."""
    return f"player:{player_id}"


def family_of(stream: str) -> str:
    return stream.partition(":")[0]
