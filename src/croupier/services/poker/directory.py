"""The live cash tables of this process: opened from the ``holdem-*`` table files, found by
id, timed, and closed.

``tables_per_game`` tables are opened per table file, ids ``<game id>-<n>`` (n from 1). A
table never seen opens its stream (``table.opened``, with its rules, currency and escrow
account, created in the same group); a table seen before is rebuilt from its stream and
resumes any hand a crash interrupted. One timer task per table acts for players whose
time runs out; it sleeps until the table's deadline or its next change, never polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from croupier.domain.errors import InvariantBroken
from croupier.domain.games.holdem import TableConfig
from croupier.domain.ledger import Account, AccountKind, AppendEvent, Command, CreateAccount
from croupier.domain.ledger.events import StreamConflict
from croupier.domain.poker.live_errors import TableNotFound
from croupier.services.ledger import LedgerClient
from croupier.services.poker.seeds import SeedSealer, new_server_seed
from croupier.services.poker.settings import PokerSettings
from croupier.services.poker.table import CashTable, table_stream

if TYPE_CHECKING:  # the lobby imports this module
    from croupier.services.poker.tournaments.lobby import TournamentLobby

__all__ = ["TableDirectory", "escrow_account", "keep_time"]

_log = logging.getLogger("croupier.poker")


def escrow_account(table_id: str, currency: str) -> str:
    return f"escrow:{table_id}:{currency}"


class TableDirectory:
    """Every live table of this process, by id."""

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
    ) -> None:
        """``run_timers=False``: nobody acts on a timeout unless :meth:`CashTable.tick` is
        called (tests drive the clock themselves)."""
        self._ledger = ledger
        self._sealer = sealer
        self._settings = settings
        self._clock_ms = clock_ms
        self._run_timers = run_timers
        self._new_seed = new_seed
        self._house_floor_minor = house_floor_minor
        self._tables: dict[str, CashTable] = {}
        self._timers: list[asyncio.Task[None]] = []
        #: Tournament tables, found by :meth:`get` (``table.act``, hand histories) but not
        #: listed in the cash lobby; their tournament times them.
        self._others: dict[str, CashTable] = {}
        #: The tournaments of this process (set by the composition root), closed with it.
        self.tournaments: TournamentLobby | None = None

    async def open(self, definitions: Mapping[str, Mapping[str, Any]]) -> None:
        """Open (or rebuild) ``tables_per_game`` tables per hold'em definition."""
        for game_id, data in sorted(definitions.items()):
            if data.get("kind") != "holdem":
                continue
            config = TableConfig.from_dict(data)
            for number in range(1, self._settings.tables_per_game + 1):
                table_id = f"{game_id}-{number}"
                table = await self._open_one(table_id, game_id, config, str(data["currency"]))
                self._tables[table_id] = table
                if self._run_timers:
                    self._timers.append(asyncio.create_task(keep_time(table, self._clock_ms)))

    async def _open_one(
        self, table_id: str, game_id: str, config: TableConfig, currency: str
    ) -> CashTable:
        options: dict[str, Any] = {
            "settings": self._settings,
            "clock_ms": self._clock_ms,
            "new_seed": self._new_seed,
            "house_floor_minor": self._house_floor_minor,
        }
        table = await CashTable.load(self._ledger, table_id, self._sealer, **options)
        if table is not None:
            if table.model.config != config:  # the stream's rules win: they dealt its hands
                _log.warning("table %s keeps the rules it opened with", table_id)
            return table
        account = escrow_account(table_id, currency)
        opened = {
            "table_id": table_id,
            "game_id": game_id,
            "currency": currency,
            "config": config.to_dict(),
            "escrow_account": account,
            "escrow_minor": 0,
        }
        group: list[Command] = [
            CreateAccount(Account(account, AccountKind.TABLE_ESCROW, currency, 0)),
            AppendEvent.create(table_stream(table_id), "table.opened", opened, expected_seq=0),
        ]
        with contextlib.suppress(StreamConflict):  # another process opened it first
            await self._ledger.submit(group)
        table = await CashTable.load(self._ledger, table_id, self._sealer, **options)
        if table is None:
            raise InvariantBroken(f"table {table_id} did not open")
        return table

    def tables(self) -> list[CashTable]:
        return [self._tables[table_id] for table_id in sorted(self._tables)]

    def add(self, table: CashTable) -> None:
        """Make a tournament's table findable by id."""
        self._others[table.table_id] = table

    def get(self, table_id: str) -> CashTable:
        table = self._tables.get(table_id) or self._others.get(table_id)
        if table is None:
            raise TableNotFound(f"no table {table_id!r}")
        return table

    async def close(self) -> None:
        if self.tournaments is not None:
            await self.tournaments.close()
        for task in self._timers:
            task.cancel()
        await asyncio.gather(*self._timers, return_exceptions=True)
        self._timers.clear()


async def keep_time(table: CashTable, clock_ms: Callable[[], int]) -> None:
    """Act for the player to act when their time runs out; wake on every change."""
    while True:
        table.changed.clear()
        deadline = table.deadline_ms()
        try:
            if deadline is None:
                await table.changed.wait()
                continue
            delay_s = max(0, deadline - clock_ms()) / 1000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(table.changed.wait(), delay_s)
                continue
            await table.tick()
        except asyncio.CancelledError:
            raise
        except Exception:  # logged; the next change or deadline tries again
            _log.exception("table %s: the timer failed", table.table_id)
            await table.changed.wait()
