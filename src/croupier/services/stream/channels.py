"""The streams a client can follow, by name. A stream is ``<family>:<id>``; its family is
what a subscriber listens to (one subject per family on NATS). The names are the domain's
(:mod:`croupier.domain.events.streams`), repeated here for the stream's users."""

from __future__ import annotations

from croupier.domain.events.streams import JACKPOTS_STREAM, LOBBY_STREAM, family_of, player_stream

__all__ = ["JACKPOTS_STREAM", "LOBBY_STREAM", "family_of", "player_stream"]
