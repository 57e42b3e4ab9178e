"""``TournamentLobby``: the tournaments of this process, opened, rebuilt, found and timed.

A tournament is opened with one linked group: its prize-pool account, ``tournament.opened``
on its own stream, and ``tournament.listed`` on ``poker:tournaments`` (the list a restarted
process rebuilds from). Each tournament has one timer task: it sleeps until the tournament
changes (a hand ended, a registration) or its clock's next deadline (the scheduled start,
the next level or break), then lets it :meth:`~LiveTournament.advance`; each of its tables
has the cash tables' timer (action time limits). With ``run_timers=False`` nothing runs on
its own: tests drive the clock and call ``advance``/``tick`` themselves.

Sit-and-go structures listed in ``sng_structures`` always have one tournament registering:
when one fills and starts, the next (``<structure>-<n+1>``) opens.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from croupier.adapters.tournament_files import load_shipped_structure
from croupier.domain.errors import InvariantBroken
from croupier.domain.ledger import Account, AccountKind, AppendEvent, Command, CreateAccount
from croupier.domain.ledger.events import StreamConflict
from croupier.domain.poker.live_errors import TournamentNotFound
from croupier.domain.poker.tournament import TournamentStatus
from croupier.domain.poker.tournament_structure import TournamentKind
from croupier.services.ledger import LedgerClient
from croupier.services.poker.directory import keep_time
from croupier.services.poker.seeds import SeedSealer, new_server_seed
from croupier.services.poker.settings import PokerSettings
from croupier.services.poker.tournaments.live import LiveTournament
from croupier.services.poker.tournaments.money import pool_account
from croupier.services.poker.tournaments.state import tournament_stream
from croupier.services.poker.tournaments.table import TournamentTable

__all__ = ["LIST_STREAM", "TournamentLobby"]

LIST_STREAM = "poker:tournaments"
_log = logging.getLogger("croupier.poker")


class TournamentLobby:
    """Every tournament of this process, by id."""

    def __init__(
        self,
        ledger: LedgerClient,
        sealer: SeedSealer,
        settings: PokerSettings,
        *,
        clock_ms: Callable[[], int],
        run_timers: bool = True,
        new_seed: Callable[[], str] = new_server_seed,
        house_floor_minor: int = 0,
        sng_structures: Sequence[str] = (),
        on_table: Callable[[TournamentTable], None] | None = None,
        new_tournament_seed: Callable[[], str] = lambda: secrets.token_hex(32),
    ) -> None:
        """``on_table``: called with every tournament table opened or rebuilt (the server
        adds it to the table directory, so ``table.act`` and hand histories find it)."""
        self._ledger = ledger
        self._sealer = sealer
        self._settings = settings
        self._clock_ms = clock_ms
        self._run_timers = run_timers
        self._options: dict[str, Any] = {
            "settings": settings,
            "clock_ms": clock_ms,
            "new_seed": new_seed,
            "house_floor_minor": house_floor_minor,
            "on_table": self._table_opened,
        }
        self._sng = tuple(sng_structures)
        self._on_table = on_table
        self._new_tournament_seed = new_tournament_seed
        self._tournaments: dict[str, LiveTournament] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._timed_tables: set[str] = set()

    # -- opening -----------------------------------------------------------------------------
    async def start(self) -> None:
        """Rebuild every listed tournament; open a registering sit-and-go per structure."""
        after = 0
        while True:
            events = await self._ledger.stream_events(LIST_STREAM, after_seq=after, limit=1000)
            for event in events:
                tournament_id = json.loads(event.data_json)["tournament_id"]
                live = await LiveTournament.load(
                    self._ledger, tournament_id, self._sealer, **self._options
                )
                if live is not None:
                    self._keep(live)
            if len(events) < 1000:
                break
            after = events[-1].seq
        for structure_id in self._sng:
            await self._ensure_registering_sng(structure_id)

    async def create(
        self, tournament_id: str, structure_id: str, scheduled_start_s: int | None = None
    ) -> LiveTournament:
        """Open a tournament of a shipped structure (an MTT needs its start time)."""
        structure = load_shipped_structure(structure_id)
        if structure.kind is TournamentKind.MTT and scheduled_start_s is None:
            raise ValueError("a multi-table tournament needs scheduled_start_s")
        pool = pool_account(tournament_id, structure.currency)
        opened: dict[str, Any] = {
            "tournament_id": tournament_id,
            "structure_id": structure_id,
            "scheduled_start_s": scheduled_start_s,
            "pool_account": pool,
            # seating's randomness: replayed from the stream, never chosen by a player
            "seed": self._new_tournament_seed(),
            "lobby": [],
        }
        head = await self._ledger.stream_head(LIST_STREAM)
        group: list[Command] = [
            CreateAccount(Account(pool, AccountKind.TOURNAMENT_POOL, structure.currency, 0)),
            AppendEvent.create(
                tournament_stream(tournament_id), "tournament.opened", opened, expected_seq=0
            ),
            AppendEvent.create(
                LIST_STREAM,
                "tournament.listed",
                {"tournament_id": tournament_id},
                expected_seq=head,
            ),
        ]
        await self._ledger.submit(group)
        live = await LiveTournament.load(self._ledger, tournament_id, self._sealer, **self._options)
        if live is None:
            raise InvariantBroken(f"tournament {tournament_id} did not open")
        self._keep(live)
        return live

    async def create_or_load(self, tournament_id: str) -> LiveTournament:
        """A tournament opened before (by this process or one that crashed), rebuilt from
        its stream and kept; ``TournamentNotFound`` if it was never opened."""
        live = await LiveTournament.load(self._ledger, tournament_id, self._sealer, **self._options)
        if live is None:
            raise TournamentNotFound(f"no tournament {tournament_id!r}")
        self._keep(live)
        return live

    def _keep(self, live: LiveTournament) -> None:
        self._tournaments[live.tournament_id] = live
        if self._run_timers:
            self._tasks.append(asyncio.create_task(self._run(live)))

    def _table_opened(self, table: TournamentTable) -> None:
        if table.table_id in self._timed_tables:
            return
        self._timed_tables.add(table.table_id)
        if self._on_table is not None:
            self._on_table(table)
        if self._run_timers:
            self._tasks.append(asyncio.create_task(keep_time(table, self._clock_ms)))

    async def _ensure_registering_sng(self, structure_id: str) -> None:
        mine = [t for t in self._tournaments.values() if t.model.structure_id == structure_id]
        if any(t.model.status is TournamentStatus.REGISTERING for t in mine):
            return
        with contextlib.suppress(StreamConflict):  # another process opened it first
            await self.create(f"{structure_id}-{len(mine) + 1}", structure_id)

    async def _run(self, live: LiveTournament) -> None:
        """The tournament's clock: advance on every change and at every deadline."""
        while True:
            try:
                live.changed.clear()
                await live.advance()
                if live.model.structure_id in self._sng:
                    await self._ensure_registering_sng(live.model.structure_id)
                if live.model.status in (TournamentStatus.FINISHED, TournamentStatus.CANCELLED):
                    return
                await _until(live.changed.wait(), live.model.next_change_s(), self._clock_ms)
            except asyncio.CancelledError:
                raise
            except Exception:  # logged; the next change tries again
                _log.exception("tournament %s: the clock failed", live.tournament_id)
                await _until(live.changed.wait(), None, self._clock_ms)

    # -- finding -----------------------------------------------------------------------------
    def tournaments(self) -> list[LiveTournament]:
        return [self._tournaments[key] for key in sorted(self._tournaments)]

    def get(self, tournament_id: str) -> LiveTournament:
        live = self._tournaments.get(tournament_id)
        if live is None:
            raise TournamentNotFound(f"no tournament {tournament_id!r}")
        return live

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()


async def _until(wake: Awaitable[Any], deadline_s: int | None, clock_ms: Callable[[], int]) -> None:
    if deadline_s is None:
        await wake
        return
    delay = max(0.0, deadline_s - clock_ms() / 1000)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wake, delay)
