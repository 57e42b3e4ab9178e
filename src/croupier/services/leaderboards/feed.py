"""What the committed round events tell the boards: one :class:`RoundFacts` per settled round.

An instant round is one ``RoundPlayed``; a blackjack round is ``RoundStarted`` (player, game,
stake), ``RoundAction`` (extra stakes) and ``RoundSettled`` (the win): the tracker keeps the
open ones, at most ``open_rounds_max`` (the oldest forgotten first; a round that outlives
them, or started before this process, is not counted)."""

from __future__ import annotations

from collections import OrderedDict

from croupier.domain.engagement.boards import RoundFacts
from croupier.domain.events.rounds import RoundAction, RoundPlayed, RoundSettled, RoundStarted

__all__ = ["RoundTracker", "facts_of_played"]


def facts_of_played(record: RoundPlayed) -> RoundFacts:
    return RoundFacts(
        record.player_id,
        record.game_id,
        record.currency,
        record.stake,
        record.win + (record.jackpot_win or 0),
    )


class RoundTracker:
    def __init__(self, *, open_rounds_max: int = 100_000) -> None:
        if open_rounds_max < 1:
            raise ValueError("open_rounds_max must be at least 1")
        self.open_rounds_max = open_rounds_max
        self._open: OrderedDict[str, RoundFacts] = OrderedDict()

    def started(self, record: RoundStarted) -> None:
        self._open[record.round_id] = RoundFacts(
            record.player_id, record.game_id, record.currency, record.stake, 0
        )
        while len(self._open) > self.open_rounds_max:
            self._open.popitem(last=False)

    def acted(self, record: RoundAction) -> None:
        facts = self._open.get(record.round_id)
        if facts is not None and record.extra_stake:
            self._open[record.round_id] = RoundFacts(
                facts.player_id,
                facts.game_id,
                facts.currency,
                facts.stake + record.extra_stake,
                0,
            )

    def settled(self, record: RoundSettled) -> RoundFacts | None:
        facts = self._open.pop(record.round_id, None)
        if facts is None:
            return None
        win = record.win + (record.jackpot_win or 0)
        return RoundFacts(facts.player_id, facts.game_id, facts.currency, facts.stake, win)
