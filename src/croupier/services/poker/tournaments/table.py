"""``TournamentTable``: a live table of a tournament, the cash table's actor with chips.

It deals real hands exactly as a cash table does (same engine, commitment and reveal,
hole cards on each player's own stream, action time limit and time bank, rebuilt from its
stream ``table:<id>`` after a crash), with three differences:

- **no money**: the stacks are tournament chips, so seating, moving and re-buys append
  events and move nothing on the ledger, and the events claim no escrow (``ledger verify``
  has nothing to check; the table still checks its chips after every commit);
- **seats are the tournament's**: players neither join, top up, sit out nor leave; the
  tournament seats, moves, tops up (re-buy, add-on) and removes them between hands;
- **it deals when told**: :meth:`deal_hand` deals one hand; the tournament calls it at the
  start of each round, so every table is between hands when the tournament moves players.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from croupier.domain.errors import IllegalAction, InvariantBroken, StateConflict
from croupier.domain.games.holdem import Hand, TableConfig
from croupier.domain.poker.tournament_structure import Level
from croupier.services.poker.table import CashTable

__all__ = ["TournamentTable", "level_config"]

_NOT_HERE = "a tournament seats its players: register for the tournament instead"


def level_config(level: Level, seats_per_table: int) -> TableConfig:
    """The engine's rules for one level. The engine posts an ante from every player, so a
    big-blind-ante level is played as a per-player ante of ``ante // seats_per_table``
    (about the same total at a full table). No rake: the fee is taken at entry."""
    ante = level.ante // seats_per_table if level.big_blind_ante else level.ante
    return TableConfig(
        small_blind_minor=level.small_blind,
        big_blind_minor=level.big_blind,
        ante_minor=ante,
        seat_count=seats_per_table,
        min_buy_in_bb=1,
        max_buy_in_bb=1000,
    )


class TournamentTable(CashTable):
    """One table of a tournament; see the module docstring."""

    #: Called when a hand ends (or is cancelled): the tournament counts it.
    on_hand_over: Callable[[], None] | None = None

    # -- what players may not do here --------------------------------------------------------
    async def join(self, player_id: str, buy_in_minor: int, seat: int | None = None) -> None:
        raise IllegalAction(_NOT_HERE)

    async def top_up(self, player_id: str, amount_minor: int) -> None:
        raise IllegalAction("tournament chips are bought with a re-buy or the add-on")

    async def sit_out(self, player_id: str, sitting_out: bool = True) -> None:
        raise IllegalAction("a tournament player cannot sit out: absent, they are timed out")

    async def leave(self, player_id: str) -> None:
        raise IllegalAction("a tournament player leaves when eliminated")

    # -- what the tournament does ------------------------------------------------------------
    @property
    def in_hand(self) -> bool:
        return self.model.info is not None

    def stacks(self) -> dict[str, int]:
        """Chips per player seated here (between hands: their whole stack)."""
        return {
            player: self.model.table.seats[seat].stack_minor
            for seat, player in self.model.players.items()
        }

    async def seat_entrant(self, player_id: str, seat: int, chips: int) -> None:
        async with self._lock:
            self._between_hands()
            if seat in self.model.players:
                raise InvariantBroken(f"table {self.table_id}: seat {seat} is taken")
            data = {
                "seat": seat,
                "player_id": player_id,
                "buy_in_minor": chips,
                "time_bank_ms": self._settings.time_bank_ms,
            }
            await self._commit("table.seated", data, escrow_delta=chips)

    async def remove_entrant(self, player_id: str) -> int:
        """Take the player away (moved or eliminated); returns the chips they had."""
        async with self._lock:
            self._between_hands()
            seat = self._seat_of(player_id)
            stack = self.model.table.seats[seat].stack_minor
            data = {"seat": seat, "player_id": player_id, "stack_minor": stack}
            await self._commit("table.left", data, escrow_delta=-stack)
            return stack

    async def add_entrant_chips(self, player_id: str, chips: int) -> None:
        async with self._lock:
            self._between_hands()
            seat = self._seat_of(player_id)
            data = {"seat": seat, "player_id": player_id, "amount_minor": chips}
            await self._commit("table.topped_up", data, escrow_delta=chips)

    async def set_config(self, config: TableConfig) -> None:
        async with self._lock:
            self._between_hands()
            if config != self.model.config:
                await self._commit("table.blinds", {"config": config.to_dict()})

    async def deal_hand(self) -> bool:
        """Deal one hand if two players have chips; True if it did."""
        async with self._lock:
            if self.model.info is not None or len(self.model.eligible_seats()) < 2:
                return False
            await self._deal()
            await self._follow_up()
            return True

    # -- the table's own steps: end a finished hand, never deal on its own -------------------
    async def _next_step(self) -> bool:
        hand = self.model.hand
        if hand is not None and hand.is_complete:
            await self._end_hand(hand)
            return True
        return False

    async def _end_hand(self, hand: Hand) -> None:
        await super()._end_hand(hand)
        if self.on_hand_over is not None:
            self.on_hand_over()

    async def _cancel_hand(self, reason: str) -> None:
        await super()._cancel_hand(reason)
        if self.on_hand_over is not None:
            self.on_hand_over()

    def _hand_started_extra(self) -> dict[str, Any]:
        return {"config": self.model.config.to_dict()}  # the level's blinds, for histories

    def _between_hands(self) -> None:
        if self.model.info is not None:
            raise StateConflict(f"table {self.table_id} is playing a hand")
