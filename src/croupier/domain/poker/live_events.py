"""What a live cash table publishes about a hand, and how the ledger's audit reads it.

- :func:`public_events`: a hand's events as everyone at the table may see them. Hole cards
  and burned cards are left out (hole cards go to their owner alone; burns are public only
  once the seed is revealed, with the whole deck).
- :func:`hand_event_from_dict`: the inverse of ``HandEvent.to_dict()``, so the public
  events on a table's stream are enough to apply the cancelled-hand rule
  (``cash_rules.cancelled_hand_refunds``) even when the hand itself cannot be replayed.

>>> from croupier.domain.games import holdem_events as he
>>> [e["type"] for e in public_events([he.HoleCardDealt(3, "Ac", 0), he.Folded(3)])]
['folded']
>>> hand_event_from_dict(he.BoardDealt("flop", ("2c", "3c", "4c"), 5).to_dict())
BoardDealt(street='flop', cards=('2c', '3c', '4c'), first_deck_index=5)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from croupier.domain.errors import GameError
from croupier.domain.games import holdem_events as he

__all__ = ["hand_event_from_dict", "public_events"]

_PRIVATE = (he.HoleCardDealt, he.CardBurned)
_TYPES: dict[str, type[he.HandEvent]] = {
    cls.type: cls
    for cls in (
        he.HandStarted,
        he.AntePosted,
        he.BlindOrStraddlePosted,
        he.HoleCardDealt,
        he.CardBurned,
        he.BoardDealt,
        he.Folded,
        he.CheckedOrCalled,
        he.BetOrRaisedTo,
        he.HandShown,
        he.HandMucked,
        he.PotAwarded,
        he.HandEnded,
    )
}


def public_events(events: Iterable[he.HandEvent]) -> list[dict[str, Any]]:
    """The events everyone may see, as JSON-safe dicts."""
    return [event.to_dict() for event in events if not isinstance(event, _PRIVATE)]


def _tupled(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tupled(item) for item in value)
    return value


def hand_event_from_dict(data: Mapping[str, Any]) -> he.HandEvent:
    """The event a ``to_dict()`` came from (lists read back as tuples)."""
    cls = _TYPES.get(str(data.get("type")))
    if cls is None:
        raise GameError(f"not a hand event: {data.get('type')!r}")
    fields = {key: _tupled(value) for key, value in data.items() if key != "type"}
    try:
        return cls(**fields)
    except TypeError as error:
        raise GameError(f"malformed {cls.type} event: {error}") from None
