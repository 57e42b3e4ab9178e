"""A round's stream, decoded: what readers (recall, blackjack recomputation) work from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from croupier.domain.errors import UnreadableEvent
from croupier.domain.events.codec import decode
from croupier.domain.events.rounds import RoundAction, RoundPlayed, RoundSettled, RoundStarted
from croupier.domain.ledger.events import Event

__all__ = ["RecordedRound", "read_round"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedRound:
    """How a round opened, its actions and its settlement, with the times they committed."""

    start: RoundPlayed | RoundStarted
    started_at_ms: int
    actions: tuple[RoundAction, ...] = ()
    settled: RoundSettled | None = None
    #: When the round was settled (an instant round: when it was played), else ``None``.
    ended_at_ms: int | None = None
    #: The seq and commit time of the stream's last event (the next action goes after it).
    last_seq: int
    last_at_ms: int

    @property
    def round_id(self) -> str:
        return self.start.round_id

    @property
    def is_settled(self) -> bool:
        return isinstance(self.start, RoundPlayed) or self.settled is not None

    def extra_reservations(self) -> list[str]:
        """The pending transfers of the extra stakes its actions reserved, in order."""
        reserved = []
        for action in self.actions:
            if action.extra_stake:
                if action.reservation is None:
                    raise UnreadableEvent(f"round {self.round_id}: an extra stake, unreserved")
                reserved.append(action.reservation)
        return reserved


def read_round(events: Sequence[Event]) -> RecordedRound:
    """Decode the events of one round's stream, read from its first seq."""
    if not events or events[0].seq != 1:
        raise ValueError("a round is read from the first event of its stream")
    first, last = events[0], events[-1]
    start = decode(first)
    if not isinstance(start, RoundPlayed | RoundStarted):
        raise UnreadableEvent(f"{first.stream} opens with {first.type}")
    actions: list[RoundAction] = []
    settled: RoundSettled | None = None
    ended_at_ms = first.timestamp_ms if isinstance(start, RoundPlayed) else None
    for event in events[1:]:
        record = decode(event)
        if isinstance(record, RoundAction) and settled is None:
            actions.append(record)
        elif isinstance(record, RoundSettled) and settled is None:
            settled, ended_at_ms = record, event.timestamp_ms
        else:
            raise UnreadableEvent(f"{event.stream} has {event.type} at seq {event.seq}")
    return RecordedRound(
        start=start,
        started_at_ms=first.timestamp_ms,
        actions=tuple(actions),
        settled=settled,
        ended_at_ms=ended_at_ms,
        last_seq=last.seq,
        last_at_ms=last.timestamp_ms,
    )
