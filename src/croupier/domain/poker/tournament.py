"""One tournament as a state machine: registration, levels on an injected clock, hands
reported by the tables, eliminations, balancing, hand-for-hand, payouts.

::

    REGISTERING ──start (SNG full / MTT at its time with entries_min)──▶ RUNNING
        │  └── MTT below entries_min at its time, or cancel() ─▶ CANCELLED (refund list)
    RUNNING ◀──▶ ON_BREAK (the clock)     RUNNING ◀──▶ HAND_FOR_HAND (the bubble)
    RUNNING / HAND_FOR_HAND ──one player left──▶ FINISHED (payouts())

Pure: time comes in as integer seconds (``now_s``), randomness as an ``RngSource``; every
method returns the events it caused (frozen dataclasses, see ``tournament_events``). The
caller ticks the clock (:meth:`Tournament.tick`) before acting on a request, so late
registration, re-buys and the add-on are judged at the right level; a refused request
changes nothing. The
tables report finished hands as :class:`HandOutcome`; chips are checked to be conserved.

Ranking: players busted in one hand, or in one hand-for-hand round across tables, are
ranked by their stack at the start of that hand (more chips, better place); equal stacks
tie and share the prizes of the places they cover (see ``payouts``). A player who busts
while re-buys are open is offered one (:class:`RebuyOffered`) and keeps the seat with no
chips; declining, or the re-buy period ending, eliminates them at that moment (at the
period's end, earlier busts finish lower).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from itertools import groupby

from croupier.domain.errors import IllegalAction, InvariantBroken
from croupier.domain.poker import tournament_events as ev
from croupier.domain.poker.payouts import PoolCounts, prize_pool_minor
from croupier.domain.poker.seating import (
    TableSeats,
    balance,
    hand_for_hand_starts,
    seat_late_entry,
    seat_randomly,
)
from croupier.domain.poker.tournament_ranking import Payout, rank_busted, ranked_payouts
from croupier.domain.poker.tournament_rules import (
    HandOutcome,
    check_add_on,
    check_hand_outcome,
    check_rebuy,
)
from croupier.domain.poker.tournament_structure import TournamentKind, TournamentStructure
from croupier.domain.rng import RngSource

__all__ = [
    "HandOutcome",
    "Payout",
    "Tournament",
    "TournamentStatus",
]  # HandOutcome, Payout: re-exported


class TournamentStatus(StrEnum):
    REGISTERING = "registering"
    RUNNING = "running"
    ON_BREAK = "on-break"
    HAND_FOR_HAND = "hand-for-hand"
    FINISHED = "finished"
    CANCELLED = "cancelled"


@dataclass
class _Entrant:
    entry_number: int
    stack: int = 0
    rebuys: int = 0
    add_on: bool = False
    busted_at: tuple[int, int] | None = None  # (bust sequence, stack at the hand's start)
    out: bool = False  # eliminated


class Tournament:
    """A tournament of one :class:`TournamentStructure`; see the module docstring."""

    def __init__(self, structure: TournamentStructure, scheduled_start_s: int | None = None):
        if structure.kind is TournamentKind.MTT and scheduled_start_s is None:
            raise IllegalAction("a multi-table tournament needs a scheduled start time")
        self.structure = structure
        self.scheduled_start_s = scheduled_start_s
        self._entrants: dict[str, _Entrant] = {}
        self._tables: dict[int, TableSeats] = {}
        self._closed = False  # finished or cancelled
        self._cancelled = False
        self._started_at_s: int | None = None
        self._level = 0
        self._on_break = False
        self._hand_for_hand = False
        self._rebuys = 0
        self._add_ons = 0
        self._bust_sequence = 0
        self._eliminations: list[list[tuple[str, int]]] = []  # in order

    # -- views -------------------------------------------------------------------------------

    @property
    def status(self) -> TournamentStatus:
        if self._cancelled:
            return TournamentStatus.CANCELLED
        if self._closed:
            return TournamentStatus.FINISHED
        if self._started_at_s is None:
            return TournamentStatus.REGISTERING
        if self._on_break:
            return TournamentStatus.ON_BREAK
        if self._hand_for_hand:
            return TournamentStatus.HAND_FOR_HAND
        return TournamentStatus.RUNNING

    @property
    def level(self) -> int:
        """The current level number (0 before the start)."""
        return self._level

    @property
    def entries(self) -> int:
        return len(self._entrants)

    @property
    def tables(self) -> tuple[TableSeats, ...]:
        return tuple(self._tables[table_id] for table_id in sorted(self._tables))

    def stacks(self) -> dict[str, int]:
        """Chips of every player still in (0 for one deciding on a re-buy), and the winner's."""
        return {key: e.stack for key, e in self._entrants.items() if not e.out}

    def chips_in_play(self) -> int:
        """Every chip sold: starting stacks, re-buys and add-ons (the conservation total)."""
        total = self.entries * self.structure.starting_stack
        if self.structure.rebuy is not None:
            total += self._rebuys * self.structure.rebuy.chips
        if self.structure.add_on is not None:
            total += self._add_ons * self.structure.add_on.chips
        return total

    def prize_pool_minor(self) -> int:
        counts = PoolCounts(self.entries, self._rebuys, self._add_ons)
        return prize_pool_minor(self.structure, counts)

    def paid_places(self) -> int:
        return len(self.structure.payout_band(max(self.entries, 2)).places_basis_points)

    def ranking(self) -> dict[str, tuple[int, int]]:
        """Finish places so far: entrant -> (best, worst) place, the winner (1, 1) once
        finished. Places count up from the field size in elimination order, so places given
        while late registration is open move down as late entries arrive."""
        places: dict[str, tuple[int, int]] = {}
        remaining = self.entries
        for group in self._eliminations:
            for key, best, worst in rank_busted(group, remaining):
                places[key] = (best, worst)
            remaining -= len(group)
        if self.status is TournamentStatus.FINISHED:
            places.update({key: (1, 1) for key, e in self._entrants.items() if not e.out})
        return places

    def players_remaining(self) -> int:
        return sum(1 for e in self._entrants.values() if not e.out)

    # -- registration ------------------------------------------------------------------------

    def verify_register(self, entrant_id: str) -> None:
        """Raise :class:`IllegalAction` unless ``entrant_id`` may register now."""
        if entrant_id in self._entrants:
            raise IllegalAction(f"{entrant_id!r} is already registered")
        if self.entries >= self.structure.entries_max:
            raise IllegalAction(f"the tournament is full ({self.structure.entries_max})")
        status = self.status
        if status is TournamentStatus.REGISTERING:
            return
        if status in (TournamentStatus.RUNNING, TournamentStatus.ON_BREAK):
            if self._level <= self.structure.late_registration_until_level:
                return
            raise IllegalAction("late registration is closed")
        raise IllegalAction(f"registration is closed: the tournament is {status.value}")

    def can_register(self, entrant_id: str) -> bool:
        """Whether ``entrant_id`` may register now."""
        return _allowed(self.verify_register, entrant_id)

    def register(self, entrant_id: str, now_s: int, rng: RngSource) -> list[ev.TournamentEvent]:
        """Enter (buy-in + fee). A sit-and-go starts when this fills it; a late entry is
        seated at once."""
        self.verify_register(entrant_id)
        late = self._started_at_s is not None
        self._entrants[entrant_id] = _Entrant(entry_number=len(self._entrants))
        events: list[ev.TournamentEvent] = [
            ev.PlayerRegistered(
                entrant_id,
                self.structure.buy_in_minor,
                self.structure.fee_minor,
                late,
                self.entries,
            )
        ]
        if late:
            self._entrants[entrant_id].stack = self.structure.starting_stack
            self._set_tables(seat_late_entry(self.tables, entrant_id, rng))
            events.extend(self._seated_events([entrant_id]))
            events.extend(self._rebalance(rng))
        elif (
            self.structure.kind is TournamentKind.SNG and self.entries == self.structure.entries_max
        ):
            events.extend(self._start(now_s, rng))
        return events

    def unregister(self, entrant_id: str) -> list[ev.TournamentEvent]:
        """Leave before the start: buy-in and fee refunded."""
        if self.status is not TournamentStatus.REGISTERING:
            raise IllegalAction("unregistering is only possible before the start")
        if entrant_id not in self._entrants:
            raise IllegalAction(f"{entrant_id!r} is not registered")
        del self._entrants[entrant_id]
        for number, entrant in enumerate(self._entrants.values()):
            entrant.entry_number = number
        refund = self.structure.buy_in_minor + self.structure.fee_minor
        return [ev.PlayerUnregistered(entrant_id, refund)]

    def cancel(self, reason: str) -> list[ev.TournamentEvent]:
        """Cancel before the start; every entry is refunded (buy-in and fee)."""
        if self.status is not TournamentStatus.REGISTERING:
            raise IllegalAction("only a tournament that has not started can be cancelled")
        refund = self.structure.buy_in_minor + self.structure.fee_minor
        refunds = tuple(ev.Refund(key, refund) for key in self._entrants)
        self._closed = self._cancelled = True
        return [ev.TournamentCancelled(reason, refunds)]

    # -- the clock ---------------------------------------------------------------------------

    def tick(self, now_s: int, rng: RngSource) -> list[ev.TournamentEvent]:
        """Let time pass: start (or cancel) an MTT at its time, advance levels and breaks,
        close late registration and re-buys."""
        status = self.status
        if status is TournamentStatus.REGISTERING:
            start_s = self.scheduled_start_s
            if start_s is None or now_s < start_s:
                return []
            if self.entries < self.structure.entries_min:
                return self.cancel(
                    f"{self.entries} entries, fewer than the minimum {self.structure.entries_min}"
                )
            return self._start(now_s, rng)
        if status in (TournamentStatus.FINISHED, TournamentStatus.CANCELLED):
            return []
        return self._advance_clock(now_s, rng)

    def _advance_clock(self, now_s: int, rng: RngSource) -> list[ev.TournamentEvent]:
        started = self._started_at_s
        if started is None:
            raise InvariantBroken("the clock runs only once started")
        position = self.structure.position_at(max(now_s - started, 0))
        events: list[ev.TournamentEvent] = []
        while (self._level, self._on_break) < (position.level, position.on_break):
            pause = self.structure.break_after(self._level)
            if not self._on_break and pause is not None:
                self._on_break = True
                events.append(ev.BreakStarted(self._level, pause.minutes))
                continue
            if self._on_break:
                events.append(ev.BreakEnded(self._level))
                self._on_break = False
            events.extend(self._enter_level(self._level + 1))
        if any(isinstance(event, ev.PlayerEliminated) for event in events):
            events.extend(self._after_eliminations(rng))  # re-buys closed: balance, or finish
        return events

    def _enter_level(self, number: int) -> list[ev.TournamentEvent]:
        self._level = number
        level = self.structure.level(number)
        events: list[ev.TournamentEvent] = [
            ev.LevelAdvanced(
                number, level.small_blind, level.big_blind, level.ante, level.big_blind_ante
            )
        ]
        if number == self.structure.late_registration_until_level + 1:
            events.append(ev.LateRegistrationClosed(self.entries, self.paid_places()))
        rebuy = self.structure.rebuy
        if rebuy is not None and number == rebuy.until_level + 1:
            events.extend(self._close_rebuys())
        return events

    # -- re-buys and add-on ------------------------------------------------------------------

    def _rebuys_open(self) -> bool:
        rebuy = self.structure.rebuy
        return rebuy is not None and 1 <= self._level <= rebuy.until_level and not self._closed

    def verify_rebuy(self, entrant_id: str) -> None:
        """Raise :class:`IllegalAction` unless ``entrant_id`` may re-buy now."""
        entrant = self._playing(entrant_id)
        check_rebuy(
            self.structure.rebuy, self._rebuys_open(), entrant.rebuys, entrant.stack, entrant_id
        )

    def can_rebuy(self, entrant_id: str) -> bool:
        return _allowed(self.verify_rebuy, entrant_id)

    def rebuy(self, entrant_id: str) -> list[ev.TournamentEvent]:
        """Buy ``rebuy.chips`` more chips (between hands) for ``rebuy.price_minor``."""
        entrant = self._playing(entrant_id)
        rebuy = check_rebuy(
            self.structure.rebuy, self._rebuys_open(), entrant.rebuys, entrant.stack, entrant_id
        )
        entrant.stack += rebuy.chips
        entrant.rebuys += 1
        entrant.busted_at = None
        self._rebuys += 1
        return [ev.RebuyBought(entrant_id, rebuy.chips, rebuy.price_minor)]

    def decline_rebuy(self, entrant_id: str, rng: RngSource) -> list[ev.TournamentEvent]:
        """A busted player says no to the re-buy: eliminated now."""
        entrant = self._playing(entrant_id)
        if entrant.busted_at is None:
            raise IllegalAction(f"{entrant_id!r} is not waiting on a re-buy")
        events = self._eliminate([entrant_id])
        return events + self._after_eliminations(rng)

    def _close_rebuys(self) -> list[ev.TournamentEvent]:
        waiting = sorted(
            (e.busted_at, key)
            for key, e in self._entrants.items()
            if not e.out and e.busted_at is not None
        )
        events: list[ev.TournamentEvent] = []
        for _, group in groupby(waiting, key=lambda item: item[0][0]):
            events.extend(self._eliminate([key for _, key in group]))
        return events

    def verify_add_on(self, entrant_id: str) -> None:
        """Raise :class:`IllegalAction` unless ``entrant_id`` may take the add-on now."""
        entrant = self._playing(entrant_id)
        check_add_on(self.structure.add_on, self._level, entrant.add_on, entrant.stack, entrant_id)

    def can_add_on(self, entrant_id: str) -> bool:
        return _allowed(self.verify_add_on, entrant_id)

    def add_on(self, entrant_id: str) -> list[ev.TournamentEvent]:
        """Take the one add-on (between hands)."""
        entrant = self._playing(entrant_id)
        add_on = check_add_on(
            self.structure.add_on, self._level, entrant.add_on, entrant.stack, entrant_id
        )
        entrant.stack += add_on.chips
        entrant.add_on = True
        self._add_ons += 1
        return [ev.AddOnBought(entrant_id, add_on.chips, add_on.price_minor)]

    # -- internals ---------------------------------------------------------------------------

    def _playing(self, entrant_id: str) -> _Entrant:
        entrant = self._entrants.get(entrant_id)
        if entrant is None or entrant.out or self._closed or self._started_at_s is None:
            raise IllegalAction(f"{entrant_id!r} is not playing in this tournament")
        return entrant

    def _set_tables(self, tables: Sequence[TableSeats]) -> None:
        self._tables = {table.table_id: table for table in tables}

    def _seated_events(self, entrant_ids: Sequence[str]) -> list[ev.TournamentEvent]:
        where = {
            who: (t.table_id, s) for t in self._tables.values() for s, who in t.players.items()
        }
        return [ev.PlayerSeated(key, *where[key], self._entrants[key].stack) for key in entrant_ids]

    def _start(self, now_s: int, rng: RngSource) -> list[ev.TournamentEvent]:
        self._started_at_s = now_s
        for entrant in self._entrants.values():
            entrant.stack = self.structure.starting_stack
        order = list(self._entrants)
        self._set_tables(seat_randomly(order, self.structure.seats_per_table, rng))
        events: list[ev.TournamentEvent] = [
            ev.TournamentStarted(self.entries, len(self._tables), now_s)
        ]
        events.extend(self._seated_events(order))
        events.extend(self._enter_level(1))
        return events

    # -- hands and eliminations --------------------------------------------------------------

    def record_hands(
        self, outcomes: Sequence[HandOutcome], rng: RngSource
    ) -> list[ev.TournamentEvent]:
        """Apply finished hands: one per table; during hand-for-hand, exactly one from every
        table (one round). Busted players are ranked together, then tables are balanced."""
        status = self.status
        if status not in (
            TournamentStatus.RUNNING,
            TournamentStatus.ON_BREAK,
            TournamentStatus.HAND_FOR_HAND,
        ):
            raise IllegalAction(f"no hands are played: the tournament is {status.value}")
        table_ids = [outcome.table_id for outcome in outcomes]
        if len(set(table_ids)) != len(table_ids) or not outcomes:
            raise IllegalAction("report one hand per table")
        if self._hand_for_hand and set(table_ids) != set(self._tables):
            raise IllegalAction("hand-for-hand: report one hand from every table together")
        stacks = self.stacks()
        for outcome in outcomes:
            check_hand_outcome(outcome, self._tables.get(outcome.table_id), stacks)
        groups: list[list[tuple[str, int]]] = []
        for outcome in outcomes:
            table = self._tables[outcome.table_id]
            self._tables[outcome.table_id] = replace(table, button_seat=outcome.button_seat)
            busted = []
            for key, final in outcome.final_stacks.items():
                self._entrants[key].stack = final
                if final == 0:
                    busted.append((key, outcome.starting_stacks[key]))
            groups.append(sorted(busted, key=lambda item: self._entrants[item[0]].entry_number))
        if self._hand_for_hand:
            groups = [[item for group in groups for item in group]]
        events: list[ev.TournamentEvent] = []
        for group in groups:
            events.extend(self._bust(group))
        self._check_chips()
        return events + self._after_eliminations(rng)

    def _check_chips(self) -> None:
        held = sum(e.stack for e in self._entrants.values())  # the eliminated hold 0
        if held != self.chips_in_play():
            raise InvariantBroken(f"chips not conserved: {held} held of {self.chips_in_play()}")

    def _bust(self, group: Sequence[tuple[str, int]]) -> list[ev.TournamentEvent]:
        if not group:
            return []
        rebuy = self.structure.rebuy
        offered = [
            key
            for key, _ in group
            if self._rebuys_open()
            and rebuy is not None
            and self._entrants[key].rebuys < rebuy.per_player_max
        ]
        self._bust_sequence += 1
        for key, start_stack in group:
            self._entrants[key].busted_at = (self._bust_sequence, start_stack)
        events: list[ev.TournamentEvent] = [ev.RebuyOffered(key) for key in offered]
        out = [key for key, _ in group if key not in offered]
        return events + (self._eliminate(out) if out else [])

    def _eliminate(self, entrant_ids: Sequence[str]) -> list[ev.TournamentEvent]:
        busted = []
        for key in sorted(entrant_ids, key=lambda key: self._entrants[key].entry_number):
            busted_at = self._entrants[key].busted_at
            busted.append((key, 0 if busted_at is None else busted_at[1]))
        events: list[ev.TournamentEvent] = []
        provisional = self._level <= self.structure.late_registration_until_level
        for key, best, worst in rank_busted(busted, self.players_remaining()):
            events.append(ev.PlayerEliminated(key, best, worst, provisional))
        for key in entrant_ids:
            self._entrants[key].out = True
        self._eliminations.append(busted)
        gone = set(entrant_ids)
        for table_id, table in list(self._tables.items()):
            players = {seat: who for seat, who in table.players.items() if who not in gone}
            self._tables[table_id] = replace(table, players=players)
        return events

    def _after_eliminations(self, rng: RngSource) -> list[ev.TournamentEvent]:
        alive = [key for key, e in self._entrants.items() if not e.out]
        if len(alive) == 1:
            self._closed = True
            self._hand_for_hand = False
            return [ev.TournamentFinished(alive[0], self.prize_pool_minor())]
        events = self._rebalance(rng)
        remaining, paid = len(alive), self.paid_places()
        if not self._hand_for_hand and hand_for_hand_starts(remaining, paid, len(self._tables)):
            self._hand_for_hand = True
            events.append(ev.HandForHandStarted(remaining, paid))
        elif self._hand_for_hand and (remaining <= paid or len(self._tables) == 1):
            self._hand_for_hand = False
            events.append(ev.HandForHandEnded(remaining))
        return events

    def _rebalance(self, rng: RngSource) -> list[ev.TournamentEvent]:
        result = balance(self.tables, rng)
        self._set_tables(result.tables)
        events: list[ev.TournamentEvent] = [ev.TableBroken(t) for t in result.broken_table_ids]
        events.extend(
            ev.PlayerMoved(
                move.entrant_id,
                move.from_table,
                move.from_seat,
                move.to_table,
                move.to_seat,
                move.reason.value,
            )
            for move in result.moves
        )
        return events

    # -- the end -----------------------------------------------------------------------------

    def payouts(self) -> tuple[Payout, ...]:
        """Every paid entrant's prize once finished; sums to the prize pool exactly."""
        if self.status is not TournamentStatus.FINISHED:
            raise IllegalAction("payouts are known once the tournament has finished")
        band = self.structure.payout_band(self.entries)
        return ranked_payouts(
            self.ranking(),
            list(self._entrants),
            self.prize_pool_minor(),
            band.places_basis_points,
        )


def _allowed(verify: object, *arguments: object) -> bool:
    try:
        verify(*arguments)  # type: ignore[operator]
    except IllegalAction:
        return False
    return True
