"""Committed events, relayed in order from the ledger's outbox to whoever subscribed."""

from croupier.services.stream.channels import (
    JACKPOTS_STREAM,
    LOBBY_STREAM,
    family_of,
    player_stream,
)
from croupier.services.stream.ports import EventStream, Handler, StreamEvent
from croupier.services.stream.relay import OutboxRelay

__all__ = [
    "JACKPOTS_STREAM",
    "LOBBY_STREAM",
    "EventStream",
    "Handler",
    "OutboxRelay",
    "StreamEvent",
    "family_of",
    "player_stream",
]
