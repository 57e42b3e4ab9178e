"""A finished hand's history, recomputed from its table's stream: the deal from the revealed
seed, the actions as recorded; rendered by ``domain/poker/hand_history`` (PokerStars-style
text, and JSON). A hand id is ``<table id>.<seq of its hand.started>``; the text shows it
as a number (:func:`text_hand_number`), the JSON both."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from croupier.domain.errors import StateConflict
from croupier.domain.fairness import ProvablyFairSource, verify_commitment
from croupier.domain.games.holdem import ActionKind, Hand, PlayerAction, TableConfig
from croupier.domain.money import currency
from croupier.domain.poker.hand_history import (
    HandRecord,
    hand_history_json,
    hand_history_text,
    record_hand,
)
from croupier.domain.poker.live_errors import HandNotFound
from croupier.services.ledger import LedgerClient
from croupier.services.poker.table import table_stream
from croupier.services.poker.views import alias

__all__ = ["FinishedHand", "finished_hand"]

#: Events read for one hand: far more than a hand of nine players can record.
_HAND_EVENTS_MAX = 1000


@dataclass(frozen=True)
class FinishedHand:
    hand_id: str
    record: HandRecord
    players: dict[int, str]
    server_seed: str
    server_seed_hash: str
    client_seed: str
    nonce: int

    def seat_of(self, player_id: str | None) -> int | None:
        for seat, owner in self.players.items():
            if owner == player_id:
                return seat
        return None

    def text(self, viewer: str | None) -> str:
        return hand_history_text(self.record, viewer_seat=self.seat_of(viewer))

    def as_json(self, viewer: str | None) -> dict[str, Any]:
        body = hand_history_json(self.record, viewer_seat=self.seat_of(viewer))
        body["hand_number_text"] = body["hand_id"]
        body["hand_id"] = self.hand_id
        body["fairness"] = {
            "server_seed": self.server_seed,
            "server_seed_hash": self.server_seed_hash,
            "client_seed": self.client_seed,
            "nonce": self.nonce,
        }
        return body


def text_hand_number(hand_id: str) -> str:
    """The number a PokerStars-style header shows (``Hand #<digits>``, as poker tools read
    it): 60 bits of SHA-256 of the hand id, stable and, in practice, unique.

    >>> text_hand_number("holdem-nl-50-100-1.4")
    '1074037187664480389'
    """
    return str(int(hashlib.sha256(hand_id.encode()).hexdigest()[:15], 16))


def _parse(hand_id: str) -> tuple[str, int]:
    table_id, _, seq = hand_id.rpartition(".")
    if not table_id or not seq.isdigit() or len(hand_id) > 160:
        raise HandNotFound(f"no hand {hand_id!r}")
    return table_id, int(seq)


async def finished_hand(ledger: LedgerClient, hand_id: str) -> FinishedHand:
    """The hand, replayed; ``HandNotFound`` if none, ``StateConflict`` while it is played or
    if it was cancelled."""
    table_id, seq = _parse(hand_id)
    stream = table_stream(table_id)
    opened = await ledger.stream_events(stream, after_seq=0, limit=1)
    events = await ledger.stream_events(stream, after_seq=seq - 1, limit=_HAND_EVENTS_MAX)
    if not opened or not events or events[0].type != "hand.started":
        raise HandNotFound(f"no hand {hand_id!r}")
    started = json.loads(events[0].data_json)
    # a tournament table's blinds change by level: its hands record the rules they used
    config = TableConfig.from_dict(
        started.get("config") or json.loads(opened[0].data_json)["config"]
    )
    actions: list[PlayerAction] = []
    ended: dict[str, Any] | None = None
    for event in events[1:]:
        data = json.loads(event.data_json)
        if data.get("hand_id") != hand_id:
            continue
        if event.type == "hand.acted":
            kind = ActionKind(data["action"])
            actions.append(PlayerAction(data["seat"], kind, data.get("amount_minor")))
        elif event.type == "hand.cancelled":
            raise StateConflict(f"hand {hand_id} was cancelled: every contribution returned")
        elif event.type == "hand.ended":
            ended = data
            break
    if ended is None:
        raise StateConflict(f"hand {hand_id} is still being played")
    seed = ended["server_seed"]
    if not verify_commitment(seed, started["server_seed_hash"]):
        raise StateConflict(f"hand {hand_id}: the revealed seed does not match its commitment")
    rng = ProvablyFairSource(seed, started["client_seed"], started["nonce"])
    hand = Hand.deal(config, started["seats"], started["stacks_minor"], rng)
    for action in actions:
        hand.apply(action)
    players = {int(seat): pid for seat, pid in started["players"].items()}
    record = record_hand(
        hand,
        hand_id=text_hand_number(hand_id),
        table_name=table_id,
        played_at=datetime.fromtimestamp(started["at_ms"] / 1000, UTC),
        currency=currency(str(json.loads(opened[0].data_json)["currency"])),
        names={seat: alias(pid) for seat, pid in players.items()},
    )
    return FinishedHand(
        hand_id, record, players, seed, started["server_seed_hash"], started["client_seed"], 0
    )
