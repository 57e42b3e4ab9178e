"""``LiveTournament``: one tournament, an actor with one owner at a time, on live tables.

Its state is a fold of its stream ``poker-tournament:<id>`` (:mod:`.state`); every change is one
linked group: the money it moves (:mod:`.money`, deterministic ids) and one event appended
with ``expected_seq`` = the head it holds, so a stale owner gets ``stream-conflict`` and
changes nothing; the event carries the lobby events it caused (``lobby``).

**Rounds.** The tables play in rounds: the tournament deals one hand at every table; when
every table has finished its hand it commits ``tournament.round`` (those hands' outcomes,
the clock, late entries seated), then brings the tables in line with its seating (removes
the eliminated and moved, seats the moved and late, adds re-bought chips, sets the level's
blinds) and deals the next round. So players move only while every table is between hands,
hand-for-hand is simply every round, and a crash anywhere is repaired by the same steps:
after a restart the tables rebuild from their streams (a hand in progress resumes), hands
that ended but were not yet counted are counted, and the seating is brought in line again.
The price: a table that finishes its hand early waits for the slowest table (one hand).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from croupier.domain.errors import IllegalAction, InvariantBroken, StateConflict
from croupier.domain.events.streams import player_stream
from croupier.domain.ledger import AppendEvent, Command
from croupier.domain.ledger.events import StreamConflict
from croupier.domain.poker import tournament_events as ev
from croupier.domain.poker.live_errors import (
    AlreadyRegistered,
    NotRegistered,
    RegistrationClosed,
)
from croupier.domain.poker.tournament import HandOutcome, TournamentStatus
from croupier.services.ledger import LedgerClient
from croupier.services.poker.model import LastHand
from croupier.services.poker.seeds import SeedSealer, new_server_seed
from croupier.services.poker.settings import PokerSettings
from croupier.services.poker.stream import table_stream
from croupier.services.poker.tournaments.money import money_for
from croupier.services.poker.tournaments.state import (
    TournamentModel,
    outcome_to_dict,
    tournament_stream,
)
from croupier.services.poker.tournaments.table import TournamentTable, level_config

__all__ = ["EntryUsage", "LiveTournament", "fold_tournament", "table_id_of"]

#: ``usage(amount_minor, entry_id)``: the limit-usage commands of an entry (the compliance
#: service's ``round_commands`` on the entry as a stake).
EntryUsage = Callable[[int, str], Awaitable[Sequence[Command]]]

_log = logging.getLogger("croupier.poker")
_PAGE = 1000
#: People paid per group: two transfers each (a refund) within the ledger's 64 commands.
PAY_CHUNK = 25
_NOTICES_PER_GROUP = 60
#: Rounds one call plays when hands end at once (everyone all-in from the blinds): a bound
#: far above any tournament's need; reaching it is a bug.
_ROUNDS_MAX = 10_000


def table_id_of(tournament_id: str, number: int) -> str:
    return f"{tournament_id}-t{number}"


async def fold_tournament(ledger: LedgerClient, tournament_id: str) -> TournamentModel | None:
    """The model of ``tournament_id`` from every event of its stream, in order."""
    model: TournamentModel | None = None
    after = 0
    while True:
        events = await ledger.stream_events(
            tournament_stream(tournament_id), after_seq=after, limit=_PAGE
        )
        for event in events:
            data = json.loads(event.data_json)
            if model is None:
                model = TournamentModel.opened(data)
            else:
                model.apply(event.type, data)
        if len(events) < _PAGE:
            return model
        after = events[-1].seq


class LiveTournament:
    """One tournament and its tables; see the module docstring."""

    def __init__(
        self,
        model: TournamentModel,
        *,
        ledger: LedgerClient,
        sealer: SeedSealer,
        settings: PokerSettings,
        clock_ms: Callable[[], int],
        new_seed: Callable[[], str] = new_server_seed,
        house_floor_minor: int = 0,
        check_entry: Callable[[str, int], Awaitable[None]] | None = None,
        on_table: Callable[[TournamentTable], None] | None = None,
    ) -> None:
        """``check_entry(player_id, amount_minor)``: the responsible-gambling gate a buy-in
        passes (raises to refuse), as a round's stake does."""
        self.model = model
        self._check_entry = check_entry
        self._on_table = on_table
        self._ledger = ledger
        self._sealer = sealer
        self._settings = settings
        self._clock_ms = clock_ms
        self._new_seed = new_seed
        self._house_floor_minor = house_floor_minor
        self.tables: dict[int, TournamentTable] = {}
        self._lock = asyncio.Lock()
        #: Set when a table's hand ends or the tournament changes: the runner waits on it.
        self.changed = asyncio.Event()

    @property
    def tournament_id(self) -> str:
        return self.model.tournament_id

    # -- loading -----------------------------------------------------------------------------
    @classmethod
    async def load(
        cls, ledger: LedgerClient, tournament_id: str, sealer: SeedSealer, **options: Any
    ) -> LiveTournament | None:
        """The tournament rebuilt from its stream and its tables from theirs; whatever a
        crash interrupted is finished (see the module docstring)."""
        model = await fold_tournament(ledger, tournament_id)
        if model is None:
            return None
        live = cls(model, ledger=ledger, sealer=sealer, **options)
        for number in sorted(model.table_numbers):
            table = await TournamentTable.load(
                ledger, table_id_of(tournament_id, number), sealer, **live._table_options()
            )
            if table is not None:
                live._adopt(number, table)
        async with live._lock:
            await live._advance()
        return live

    def _table_options(self) -> dict[str, Any]:  # the tables get no entry check
        return {
            "settings": self._settings,
            "clock_ms": self._clock_ms,
            "new_seed": self._new_seed,
            "house_floor_minor": self._house_floor_minor,
        }

    def _adopt(self, number: int, table: TournamentTable) -> None:
        table.on_hand_over = self.changed.set
        self.tables[number] = table
        if self._on_table is not None:
            self._on_table(table)

    # -- player commands ---------------------------------------------------------------------
    async def register(self, player_id: str, usage: EntryUsage | None = None) -> None:
        """Enter: buy-in to the pool, fee to the house (a sit-and-go starts when full; a
        late entry is seated at the end of the current round). ``usage``: the player's
        wager and loss limits' share of the entry (commands in the same group, so the
        ledger refuses an entry past a limit, as it refuses a stake)."""
        async with self._lock:
            status = self.model.status
            if status in (TournamentStatus.FINISHED, TournamentStatus.CANCELLED):
                raise RegistrationClosed(f"registration is closed: the tournament is {status}")
            if self.is_entered(player_id):
                raise AlreadyRegistered("you are registered for this tournament already")
            try:
                self.model.verify_register(player_id)
            except IllegalAction as error:
                raise RegistrationClosed(str(error)) from None
            if self._check_entry is not None:  # responsible gambling: refuses, changes nothing
                await self._check_entry(player_id, self._entry_price())
            extra: list[Command] = []
            if usage is not None:
                entry_id = f"{self.tournament_id}.{self.model.head + 1}"
                extra = list(await usage(self._entry_price(), entry_id))
            await self._commit("tournament.registered", {"player_id": player_id}, extra)
            await self._advance()

    async def unregister(self, player_id: str) -> None:
        """Leave before the start: buy-in and fee refunded."""
        async with self._lock:
            if not self.is_entered(player_id):
                raise NotRegistered("you are not registered for this tournament")
            if self.model.status is not TournamentStatus.REGISTERING:
                raise RegistrationClosed("the tournament has started: entries are final")
            await self._commit("tournament.unregistered", {"player_id": player_id})

    def is_entered(self, player_id: str) -> bool:
        tournament = self.model.tournament
        return (
            player_id in tournament.stacks()
            or player_id in self.model.pending_late
            or player_id in tournament.ranking()
        )

    def _entry_price(self) -> int:
        structure = self.model.tournament.structure
        return structure.buy_in_minor + structure.fee_minor

    async def rebuy(self, player_id: str, usage: EntryUsage | None = None) -> None:
        """Buy the re-buy's chips (between hands; a busted player keeps the seat)."""
        async with self._lock:
            self._not_in_a_hand(player_id)
            self.model.tournament.verify_rebuy(player_id)
            rule = self.model.tournament.structure.rebuy
            price = 0 if rule is None else rule.price_minor
            await self._buy("tournament.rebuy", player_id, price, usage)

    async def add_on(self, player_id: str, usage: EntryUsage | None = None) -> None:
        """Take the one add-on (between hands)."""
        async with self._lock:
            self._not_in_a_hand(player_id)
            self.model.tournament.verify_add_on(player_id)
            rule = self.model.tournament.structure.add_on
            price = 0 if rule is None else rule.price_minor
            await self._buy("tournament.add_on", player_id, price, usage)

    async def _buy(
        self, kind: str, player_id: str, price_minor: int, usage: EntryUsage | None
    ) -> None:
        if self._check_entry is not None:
            await self._check_entry(player_id, price_minor)
        extra: list[Command] = []
        if usage is not None:
            extra = list(await usage(price_minor, f"{self.tournament_id}.{self.model.head + 1}"))
        await self._commit(kind, {"player_id": player_id}, extra)
        await self._advance()

    async def decline_rebuy(self, player_id: str) -> None:
        async with self._lock:
            await self._commit("tournament.rebuy_declined", {"player_id": player_id})
            await self._advance()

    async def advance(self) -> None:
        """Let the tournament move on: count finished hands, let the clock act, move
        players, deal the next round (the runner calls it on every change and deadline)."""
        async with self._lock:
            await self._advance()

    def table_of(self, player_id: str) -> TournamentTable | None:
        for seating in self.model.tournament.tables:
            if player_id in seating.players.values():
                return self.tables.get(seating.table_id)
        return None

    # -- the tournament's own steps ----------------------------------------------------------
    async def _advance(self) -> None:
        for _ in range(_ROUNDS_MAX):
            if any(table.in_hand for table in self.tables.values()):
                return
            await self._end_round()
            await self._pay_what_is_owed()
            if self.model.status not in (
                TournamentStatus.RUNNING,
                TournamentStatus.HAND_FOR_HAND,
            ):
                return
            await self._sync_tables()
            dealt = [await self.tables[n].deal_hand() for n in sorted(self.tables)]
            if not any(dealt):
                return
            self.changed.set()
        raise InvariantBroken(f"tournament {self.tournament_id}: rounds never settle")

    async def _end_round(self) -> None:
        """Commit the round (finished hands, the clock, late entries) if it changes anything."""
        outcomes = []
        for number, table in sorted(self.tables.items()):
            last = table.model.last_hand
            if last is not None and self.model.recorded.get(number) != last.hand_id:
                outcomes.append(_outcome(number, last))
        data = {"outcomes": outcomes}
        if outcomes or self.model.pending_late or self.model.pending_declines:
            await self._commit("tournament.round", data)
            return
        trial = copy.deepcopy(self.model)
        if trial.apply("tournament.round", {**data, "now_s": self._now_s()}):
            await self._commit("tournament.round", data)

    async def _pay_what_is_owed(self) -> None:
        """Refunds of a cancelled tournament, the overlay and prizes of a finished one: a
        group at a time; after a crash the rest is paid on rebuild, nothing twice."""
        while (payment := self.model.next_payment(PAY_CHUNK)) is not None:
            await self._commit("tournament.paid", payment)

    async def _sync_tables(self) -> None:
        """Bring the live tables in line with the tournament's seating: everyone not where
        the tournament seats them stands up first (so chips are never at two tables), then
        the tables open, take their level's blinds, seat the moved and new players and add
        the chips of re-buys and add-ons."""
        tournament = self.model.tournament
        wanted = {(t.table_id, s): p for t in tournament.tables for s, p in t.players.items()}
        stacks = tournament.stacks()
        for number, table in sorted(self.tables.items()):
            for seat, player in sorted(table.model.players.items()):
                if wanted.get((number, seat)) != player:
                    chips = await table.remove_entrant(player)
                    # fewer: a re-buy not yet added here; the new seat gets the whole stack
                    if chips > stacks.get(player, 0):
                        raise InvariantBroken(f"{player!r} left table {number} with {chips}")
        config = level_config(
            tournament.structure.level(tournament.level), tournament.structure.seats_per_table
        )
        for seating in tournament.tables:
            table = self.tables.get(seating.table_id) or await self._open(seating.table_id)
            await table.set_config(config)
            have = table.stacks()
            for seat, player in sorted(seating.players.items()):
                if player not in have:
                    await table.seat_entrant(player, seat, stacks[player])
                elif have[player] < stacks[player]:
                    await table.add_entrant_chips(player, stacks[player] - have[player])
                elif have[player] > stacks[player]:
                    raise InvariantBroken(f"{player!r} has more chips at table {seating.table_id}")

    async def _open(self, number: int) -> TournamentTable:
        table_id = table_id_of(self.tournament_id, number)
        structure = self.model.tournament.structure
        config = level_config(
            structure.level(max(1, self.model.tournament.level)), structure.seats_per_table
        )
        opened = {
            "table_id": table_id,
            "game_id": self.model.structure_id,
            "tournament_id": self.tournament_id,
            "currency": structure.currency,
            "config": config.to_dict(),
            "escrow_account": "",
        }
        with contextlib.suppress(StreamConflict):  # opened before a crash
            await self._ledger.submit(
                [AppendEvent.create(table_stream(table_id), "table.opened", opened, expected_seq=0)]
            )
        table = await TournamentTable.load(
            self._ledger, table_id, self._sealer, **self._table_options()
        )
        if table is None:
            raise InvariantBroken(f"table {table_id} did not open")
        self._adopt(number, table)
        return table

    # -- committing --------------------------------------------------------------------------
    async def _commit(
        self, kind: str, data: dict[str, Any], extra: Sequence[Command] = ()
    ) -> list[ev.TournamentEvent]:
        """Fold the event on a copy (a refusal raises, nothing changed), commit it with the
        money it moves in one linked group, then keep the copy."""
        data = {**data, "tournament_id": self.tournament_id, "now_s": self._now_s()}
        trial = copy.deepcopy(self.model)
        events = trial.apply(kind, data)
        seq = trial.head
        paid = data if kind == "tournament.paid" else None
        money = money_for(trial, seq, events, self._house_floor_minor, paid)
        stored = {**data, "lobby": trial.lobby}
        group: list[Command] = [
            *money,
            *extra,
            AppendEvent.create(
                tournament_stream(self.tournament_id), kind, stored, expected_seq=self.model.head
            ),
        ]
        try:
            await self._ledger.submit(group)
        except StreamConflict:
            reloaded = await fold_tournament(self._ledger, self.tournament_id)
            if reloaded is not None:
                self.model = reloaded
            raise
        self.model = trial
        self.changed.set()
        # Seat notices go after the commit, in groups of their own (a start seats hundreds:
        # more than one group holds); a crash in between loses only a notice, the seat is
        # in the tournament's view and the lobby events.
        notices = self._player_notices(events)
        for start in range(0, len(notices), _NOTICES_PER_GROUP):
            await self._ledger.submit(notices[start : start + _NOTICES_PER_GROUP])
        return events

    def _player_notices(self, events: list[ev.TournamentEvent]) -> list[AppendEvent]:
        """Each player's table and seat, on their own stream, in the same group."""
        notices = []
        for event in events:
            if isinstance(event, ev.PlayerSeated):
                player, number, seat = event.entrant_id, event.table_id, event.seat
            elif isinstance(event, ev.PlayerMoved):
                player, number, seat = event.entrant_id, event.to_table, event.to_seat
            else:
                continue
            notice = {
                "tournament_id": self.tournament_id,
                "table_id": table_id_of(self.tournament_id, number),
                "seat": seat,
                "moved": isinstance(event, ev.PlayerMoved),
            }
            notices.append(
                AppendEvent.create(player_stream(player), "poker.tournament_seat", notice)
            )
        return notices

    # -- helpers -----------------------------------------------------------------------------
    def _now_s(self) -> int:
        return self._clock_ms() // 1000

    def _not_in_a_hand(self, player_id: str) -> None:
        table = self.table_of(player_id)
        info = None if table is None else table.model.info
        if info is not None and player_id in info.players.values():
            raise StateConflict("chips are bought between hands: after this hand")


def _outcome(number: int, last: LastHand) -> dict[str, Any]:
    players = last.players
    outcome = HandOutcome(
        number,
        last.button_seat,
        {players[seat]: stack for seat, stack in last.starting_minor.items()},
        {players[seat]: stack for seat, stack in last.final_minor.items()},
    )
    return outcome_to_dict(outcome, last.hand_id)


def lobby_events(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The lobby events a ``poker-tournament:<id>`` event carries."""
    return list(data.get("lobby", []))
