"""Committed events, relayed in order from the ledger's outbox to whoever subscribed."""

from croupier.services.stream.channels import (
    JACKPOTS_STREAM,
    LOBBY_STREAM,
    family_of,
    player_stream,
)
from croupier.services.stream.ports import (
    BatchMark,
    EventStream,
    Handler,
    StreamEvent,
    StreamTail,
)
from croupier.services.stream.relay import OutboxRelay

__all__ = [
    "JACKPOTS_STREAM",
    "LOBBY_STREAM",
    "BatchMark",
    "EventStream",
    "Handler",
    "OutboxRelay",
    "StreamEvent",
    "StreamTail",
    "family_of",
    "player_stream",
]
