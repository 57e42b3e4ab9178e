"""A tournament's state, folded from its own stream ``poker-tournament:<id>``.

The stream records the tournament's *inputs* (registrations, the clock, finished hands,
re-buys); the pure :class:`~croupier.domain.poker.tournament.Tournament` turns them into
its state and its lobby events. Folding the stream again gives the same tournament, event
for event: the only randomness (seating, moves) comes from a ``ProvablyFairSource`` keyed
by the tournament's seed (in ``tournament.opened``) and the event's sequence number.

The live tournament folds each event with the same :meth:`TournamentModel.apply`, on a copy
first (to learn which money the event moves), then keeps the copy once the ledger
committed the group.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from croupier.adapters.tournament_files import load_shipped_structure
from croupier.domain.errors import IllegalAction, InvariantBroken
from croupier.domain.fairness import ProvablyFairSource
from croupier.domain.poker import tournament_events as ev
from croupier.domain.poker.tournament import HandOutcome, Tournament, TournamentStatus

__all__ = ["TournamentModel", "outcome_from_dict", "outcome_to_dict", "tournament_stream"]

_log = logging.getLogger("croupier.poker")
_PAID_KEYS = ("refunds", "prizes", "overlay_minor")
_PLAYING = (TournamentStatus.RUNNING, TournamentStatus.ON_BREAK, TournamentStatus.HAND_FOR_HAND)


def tournament_stream(tournament_id: str) -> str:
    return f"poker-tournament:{tournament_id}"


def outcome_to_dict(outcome: HandOutcome, hand_id: str) -> dict[str, Any]:
    return {
        "table": outcome.table_id,
        "hand_id": hand_id,
        "button_seat": outcome.button_seat,
        "starting": dict(outcome.starting_stacks),
        "final": dict(outcome.final_stacks),
    }


def outcome_from_dict(data: Mapping[str, Any]) -> HandOutcome:
    return HandOutcome(data["table"], data["button_seat"], data["starting"], data["final"])


@dataclass
class TournamentModel:
    """One tournament as its events left it: the pure state machine and what the live
    service adds (late entries waiting for the end of the round, hands already counted,
    the money collected into the pool)."""

    tournament_id: str
    structure_id: str
    currency: str
    pool_account: str
    seed: str
    tournament: Tournament
    head: int = 1
    #: Late entries paid for, seated at the end of the current round (moves happen only
    #: while every table is between hands).
    pending_late: list[str] = field(default_factory=list)
    #: Re-buys declined, taken at the end of the round too (an elimination rebalances).
    pending_declines: list[str] = field(default_factory=list)
    #: table number -> the id of the last hand the tournament counted there.
    recorded: dict[int, str] = field(default_factory=dict)
    #: How many times each player registered (unregistering and coming back): transfer ids.
    registrations: dict[str, int] = field(default_factory=dict)
    collected_minor: int = 0  # buy-ins, re-buys and add-ons paid into the pool
    started_at_s: int | None = None
    #: Money owed once the tournament is over, paid in groups of at most ``PAY_CHUNK``
    #: (a linked group holds at most 64 commands): refunds of a cancelled tournament, the
    #: house's overlay and the prizes of a finished one.
    refunds_due: list[str] = field(default_factory=list)
    overlay_due_minor: int = 0
    prizes_due: list[tuple[str, int]] = field(default_factory=list)
    #: Every table number ever used: a broken table may still seat players after a crash.
    table_numbers: set[int] = field(default_factory=set)
    lobby: list[dict[str, Any]] = field(default_factory=list)  # the last event's, for callers
    _now_s: int = 0  # the clock of the last event folded

    @classmethod
    def opened(cls, data: Mapping[str, Any]) -> TournamentModel:
        structure = load_shipped_structure(data["structure_id"])
        return cls(
            tournament_id=data["tournament_id"],
            structure_id=data["structure_id"],
            currency=structure.currency,
            pool_account=data["pool_account"],
            seed=data["seed"],
            tournament=Tournament(structure, data.get("scheduled_start_s")),
        )

    # -- views -------------------------------------------------------------------------------
    @property
    def status(self) -> TournamentStatus:
        return self.tournament.status

    @property
    def playing(self) -> bool:
        return self.status in _PLAYING

    def next_change_s(self) -> int | None:
        """When the clock next changes something: the scheduled start, or the next level
        or break (``None``: never)."""
        tournament = self.tournament
        if self.status is TournamentStatus.REGISTERING:
            return tournament.scheduled_start_s
        if not self.playing or self.started_at_s is None:
            return None
        position = tournament.structure.position_at(max(0, self._now_s - self.started_at_s))
        if position.next_change_s is None:
            return None
        return self.started_at_s + position.next_change_s

    def verify_register(self, player_id: str) -> None:
        """Raise ``IllegalAction`` unless ``player_id`` may register now (a pending late
        entry counts as registered)."""
        if player_id in self.pending_late:
            raise IllegalAction(f"{player_id!r} is already registered")
        self.tournament.verify_register(player_id)
        if (
            self.tournament.entries + len(self.pending_late)
            >= self.tournament.structure.entries_max
        ):
            raise IllegalAction("the tournament is full")

    # -- folding -----------------------------------------------------------------------------
    def apply(self, kind: str, data: Mapping[str, Any]) -> list[ev.TournamentEvent]:
        """Fold one committed event; returns the lobby events it caused."""
        self.head += 1
        self._now_s = max(self._now_s, data.get("now_s", 0))
        rng = ProvablyFairSource(self.seed, self.tournament_id[-64:], self.head)
        handler = _HANDLERS.get(kind)
        if handler is None:
            raise InvariantBroken(f"tournament {self.tournament_id}: unknown event {kind!r}")
        events = handler(self, data, rng)
        for event in events:
            if isinstance(event, (ev.RebuyBought, ev.AddOnBought)):
                self.collected_minor += event.price_minor
            elif isinstance(event, ev.PlayerRegistered):
                self.collected_minor += event.buy_in_minor
            elif isinstance(event, ev.PlayerUnregistered):
                self.collected_minor -= self.tournament.structure.buy_in_minor
            elif isinstance(event, ev.TournamentStarted):
                self.started_at_s = event.started_at_s
            elif isinstance(event, ev.PlayerSeated):
                self.table_numbers.add(event.table_id)
            elif isinstance(event, ev.PlayerMoved):
                self.table_numbers.add(event.to_table)
            elif isinstance(event, ev.TournamentCancelled):
                self.refunds_due = [item.entrant_id for item in event.refunds]
            elif isinstance(event, ev.TournamentFinished):
                self.overlay_due_minor = event.prize_pool_minor - self.collected_minor
                self.prizes_due = [
                    (p.entrant_id, p.amount_minor) for p in self.tournament.payouts()
                ]
        self.lobby = [event.to_dict() for event in events]
        if kind == "tournament.paid":
            self.lobby = [{"type": "money-paid", **{k: data[k] for k in _PAID_KEYS}}]
        return events

    def _registered(self, data: Mapping[str, Any], rng: ProvablyFairSource) -> list[Any]:
        player = data["player_id"]
        self.registrations[player] = self.registrations.get(player, 0) + 1
        if self.playing:  # late: paid now, seated when the tables are between hands
            self.verify_register(player)
            self.pending_late.append(player)
            structure = self.tournament.structure
            entries = self.tournament.entries + len(self.pending_late)
            fee = structure.fee_minor
            return [ev.PlayerRegistered(player, structure.buy_in_minor, fee, True, entries)]
        return self.tournament.register(player, data["now_s"], rng)

    def _unregistered(self, data: Mapping[str, Any], _: ProvablyFairSource) -> list[Any]:
        return self.tournament.unregister(data["player_id"])

    def _round(self, data: Mapping[str, Any], rng: ProvablyFairSource) -> list[Any]:
        """The end of a round: the hands every table finished, the clock, late entries."""
        events: list[Any] = []
        outcomes = [outcome_from_dict(item) for item in data["outcomes"]]
        if outcomes:
            events += self.tournament.record_hands(outcomes, rng)
            for item in data["outcomes"]:
                self.recorded[item["table"]] = item["hand_id"]
        declined, self.pending_declines = self.pending_declines, []
        for player in declined:  # unless re-bought meanwhile, or the period closed
            if self.tournament.stacks().get(player) == 0:
                with contextlib.suppress(IllegalAction):
                    events += self.tournament.decline_rebuy(player, rng)
        events += self.tournament.tick(data["now_s"], rng)
        late, self.pending_late = self.pending_late, []
        for player in late:
            if self.tournament.can_register(player):
                entered = self.tournament.register(player, data["now_s"], rng)
                # the buy-in was counted when paid
                events += [e for e in entered if not isinstance(e, ev.PlayerRegistered)]
                continue
            refund = self.tournament.structure.buy_in_minor + self.tournament.structure.fee_minor
            events.append(ev.PlayerUnregistered(player, refund))  # too late after all
        return events

    def _paid(self, data: Mapping[str, Any], _: ProvablyFairSource) -> list[Any]:
        """One group of what is owed at the end (see ``refunds_due``), in order."""
        refunds, prizes = data["refunds"], [tuple(item) for item in data["prizes"]]
        if (
            refunds != self.refunds_due[: len(refunds)]
            or prizes != self.prizes_due[: len(prizes)]
            or data["overlay_minor"] not in (0, self.overlay_due_minor)
        ):
            raise InvariantBroken(f"tournament {self.tournament_id}: pays what is not owed")
        del self.refunds_due[: len(refunds)], self.prizes_due[: len(prizes)]
        if data["overlay_minor"]:
            self.overlay_due_minor = 0
        self.collected_minor -= self.tournament.structure.buy_in_minor * len(refunds)
        return []

    def next_payment(self, chunk: int) -> dict[str, Any] | None:
        """The next ``tournament.paid`` (at most ``chunk`` people), ``None`` once all paid."""
        if not (self.refunds_due or self.prizes_due or self.overlay_due_minor > 0):
            return None
        return {
            "refunds": self.refunds_due[:chunk],
            "prizes": [list(item) for item in self.prizes_due[:chunk]],
            "overlay_minor": max(0, self.overlay_due_minor),
        }

    def _rebuy(self, data: Mapping[str, Any], _: ProvablyFairSource) -> list[Any]:
        return self.tournament.rebuy(data["player_id"])

    def _add_on(self, data: Mapping[str, Any], _: ProvablyFairSource) -> list[Any]:
        return self.tournament.add_on(data["player_id"])

    def _rebuy_declined(self, data: Mapping[str, Any], _: ProvablyFairSource) -> list[Any]:
        """Out at the end of the round (an elimination moves players: only between hands)."""
        if self.tournament.stacks().get(data["player_id"]) != 0:
            raise IllegalAction(f"{data['player_id']!r} is not waiting on a re-buy")
        if data["player_id"] not in self.pending_declines:
            self.pending_declines.append(data["player_id"])
        return []


_HANDLERS = {
    "tournament.registered": TournamentModel._registered,
    "tournament.unregistered": TournamentModel._unregistered,
    "tournament.round": TournamentModel._round,
    "tournament.rebuy": TournamentModel._rebuy,
    "tournament.paid": TournamentModel._paid,
    "tournament.add_on": TournamentModel._add_on,
    "tournament.rebuy_declined": TournamentModel._rebuy_declined,
}
