"""A table's stream ``table:<id>``, read back: the fold that rebuilds a table's model."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from croupier.domain.fairness import server_seed_hash
from croupier.domain.ledger.events import Event
from croupier.services.ledger import LedgerClient
from croupier.services.poker.model import TableModel
from croupier.services.poker.seeds import SeedSealer

__all__ = ["EVENTS_PAGE", "fold_stream", "table_stream"]

EVENTS_PAGE = 1000
_log = logging.getLogger("croupier.poker")


def table_stream(table_id: str) -> str:
    return f"table:{table_id}"


async def fold_stream(ledger: LedgerClient, table_id: str, sealer: SeedSealer) -> TableModel | None:
    """The model of ``table_id`` from every event of its stream, in order. Two reads: the
    first finds which hands ended (those are not dealt again), the second folds."""
    finished: set[str] = set()
    async for event in _events(ledger, table_id):
        if event.type in ("hand.ended", "hand.cancelled"):
            finished.add(json.loads(event.data_json)["hand_id"])
    model: TableModel | None = None
    async for event in _events(ledger, table_id):
        data = json.loads(event.data_json)
        if model is None:
            model = TableModel.opened(data)
            continue
        seed, replay = None, True
        if event.type == "hand.started":
            replay = data["hand_id"] not in finished
            seed = await _unsealed(sealer, data) if replay else None
        model.apply(event.type, data, seed, replay=replay)
    return model


async def _events(ledger: LedgerClient, table_id: str) -> AsyncIterator[Event]:
    after = 0
    while True:
        events = await ledger.stream_events(
            table_stream(table_id), after_seq=after, limit=EVENTS_PAGE
        )
        for event in events:
            yield event
        if len(events) < EVENTS_PAGE:
            return
        after = events[-1].seq


async def _unsealed(sealer: SeedSealer, data: dict[str, Any]) -> str | None:
    try:
        seed = await sealer.unseal(data["server_seed_sealed"], data["hand_id"])
    except Exception as error:  # a lost key, a tampered value: the hand cannot be rebuilt
        _log.error("hand %s: the server seed cannot be unsealed: %r", data["hand_id"], error)
        return None
    if server_seed_hash(seed) != data["server_seed_hash"]:
        _log.error("hand %s: the unsealed seed does not match its commitment", data["hand_id"])
        return None
    return seed
