"""Slot tournaments: created by the back office, joined by players (the fee on the ledger),
scored by the rounds the leaderboards hear of, and settled once they end.

Settling is a state machine in the database, ``open → settling → settled``, whose one
compare-and-set into ``settling`` fixes the results (standings, prizes, funding). The
payout that follows is a list of ledger transfers whose ids are fixed by the tournament and
the place (``domain/engagement/tournaments.py``): run it again after a crash at any point and
the ledger replays what it already holds, so each winner is paid exactly once. Only then
does the tournament become ``settled`` and its results go out on ``leaderboard:<board>``.

A player barred by responsible-gambling rules or account control (self-excluded, timed out,
frozen, closed) cannot join: the join asks the same gate a round asks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from croupier.domain.accounts.player import Player, cash_account_id
from croupier.domain.engagement.boards import RoundFacts, metric_value
from croupier.domain.engagement.tournaments import (
    TOURNAMENT_BOARD_PREFIX,
    TournamentDefinition,
    fee_transfer_id,
    parse_tournament,
    plan_prizes,
    pool_account,
)
from croupier.domain.errors import InvalidInput, NotFound, StateConflict
from croupier.services.leaderboards.live import board_stream
from croupier.services.leaderboards.ports import BoardState, EngagementStore, Entry, Update
from croupier.services.leaderboards.service import LeaderboardService
from croupier.services.ledger.ports import LedgerClient
from croupier.services.stream import EventStream, StreamEvent
from croupier.services.tournaments.payout import move, pay

__all__ = ["SETTLED_TYPE", "JoinGate", "TournamentService"]

SETTLED_TYPE = "tournament.settled"
_log = logging.getLogger("croupier.tournaments")
_STANDINGS_KEPT = 100  # entries the results keep beyond the paid places
_LIST_MAX = 100


class JoinGate(Protocol):
    """What a round asks before it starts (``services/backoffice/gate.PlayGate``): account
    control, responsible gambling (exclusions, time-outs, session limits) and KYC."""

    async def before_round(self, player_id: str, game_id: str) -> None: ...


@dataclass
class _Open:
    definition: TournamentDefinition
    #: Each entrant and when they joined (ms): their rounds committed from then on count,
    #: live and in a rebuild alike.
    entrants: dict[str, int]
    attempts: dict[str, int]


class TournamentService:
    def __init__(
        self,
        store: EngagementStore,
        boards: BoardState,
        ledger: LedgerClient,
        leaderboards: LeaderboardService,
        gate: JoinGate,
        *,
        clock_ms: Callable[[], int],
        stream: EventStream | None = None,
        settle_interval_s: float = 1.0,
    ) -> None:
        self.store = store
        self.boards = boards
        self.ledger = ledger
        self.leaderboards = leaderboards
        self.gate = gate
        self.clock_ms = clock_ms
        self.stream = stream
        self.settle_interval_s = settle_interval_s
        self._open: dict[str, _Open] = {}
        self._task: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self, *, settle: bool = True) -> None:
        """Load the open tournaments and feed on the leaderboards' rounds; with ``settle``,
        settle due tournaments now and every ``settle_interval_s`` (the writer's process)."""
        for stored in await self.store.tournaments(limit=10_000):
            if stored.state == "open":
                await self._track(_definition(stored.definition_json))
        self.leaderboards.add_feed(self.feed)
        if settle:
            await self.start_settling()

    async def start_settling(self) -> None:
        """Settle due tournaments now and every ``settle_interval_s`` (the writer's
        process; after the boards were rebuilt, when they are in process)."""
        await self.settle_due()
        self._task = asyncio.get_running_loop().create_task(self._settle_forever())

    def open_since_ms(self) -> int | None:
        """When the earliest tracked (open) tournament began: where a rebuild starts."""
        starts = [tracked.definition.starts_at_ms for tracked in self._open.values()]
        return min(starts, default=None)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _track(self, definition: TournamentDefinition) -> None:
        entrants = await self.store.entered_at(definition.id)
        self._open[definition.id] = _Open(definition, entrants, {})

    # -- the back office ---------------------------------------------------------------------
    async def create(self, raw: Mapping[str, Any]) -> TournamentDefinition:
        definition = parse_tournament(raw, where="tournament")
        document = json.dumps(definition.as_json(), sort_keys=True)
        if not await self.store.add_tournament(
            definition.id, document, definition.ends_at_ms, self.clock_ms()
        ):
            raise StateConflict(f"tournament {definition.id!r} exists")
        await self._track(definition)
        return definition

    async def create_from_files(self, definitions: Mapping[str, TournamentDefinition]) -> int:
        """Create the tournaments of the data files not yet in the store (at start; the
        insert is keyed by id, so every process and every restart creates each once); how
        many were new. A file changed after its tournament was created changes nothing (the
        entries and fees were taken under the stored one): logged."""
        created = 0
        for definition in definitions.values():
            document = json.dumps(definition.as_json(), sort_keys=True)
            if await self.store.add_tournament(
                definition.id, document, definition.ends_at_ms, self.clock_ms()
            ):
                created += 1
                continue
            stored = await self.store.tournament(definition.id)
            if stored is not None and _definition(stored.definition_json) != definition:
                _log.warning(
                    "tournament %s: its file differs from the stored definition, which stands",
                    definition.id,
                )
        return created

    # -- players -----------------------------------------------------------------------------
    async def join(self, tournament_id: str, player: Player) -> dict[str, Any]:
        """Enter ``player``; a second join is a replay (charged once)."""
        definition, state = await self._get(tournament_id)
        if state != "open" or self.clock_ms() >= definition.ends_at_ms:
            raise StateConflict(f"tournament {tournament_id!r} is over")
        if player.currency != definition.currency:
            raise InvalidInput(f"this tournament plays in {definition.currency}")
        await self.gate.before_round(player.player_id, min(definition.games))
        if definition.fee_minor:
            await move(
                self.ledger,
                fee_transfer_id(definition.id, player.player_id),
                cash_account_id(player.player_id),
                pool_account(definition.id),
                definition.fee_minor,
                definition,
                "tournament_fee",
            )
        at_ms = self.clock_ms()
        entered = await self.store.add_entry(
            definition.id,
            player.player_id,
            fee_minor=definition.fee_minor,
            at_ms=at_ms,
            entrants_max=definition.entrants_max,
        )
        if not entered:
            if definition.fee_minor:  # full: the fee goes back (its own fixed id)
                await move(
                    self.ledger,
                    fee_transfer_id(definition.id, player.player_id) + ":refund",
                    pool_account(definition.id),
                    cash_account_id(player.player_id),
                    definition.fee_minor,
                    definition,
                    "tournament_fee_refund",
                )
            raise StateConflict(f"tournament {tournament_id!r} is full")
        tracked = self._open.get(definition.id)
        if tracked is not None:  # a second join keeps the first's time (the stored one)
            tracked.entrants.setdefault(player.player_id, at_ms)
        return {"tournament_id": definition.id, "player_id": player.player_id, "joined": True}

    async def feed(self, facts: RoundFacts, ts_ms: int) -> tuple[list[Update], list[str]]:
        """A leaderboard feed: the round's score on every tournament its player entered,
        within the attempts allowed."""
        updates, boards = [], []
        for tracked in self._open.values():
            definition = tracked.definition
            joined_ms = tracked.entrants.get(facts.player_id)
            if joined_ms is None or ts_ms < joined_ms or not definition.counts(facts, ts_ms):
                continue
            value = metric_value(definition.metric, facts)
            if value is None:
                continue
            used = tracked.attempts.get(facts.player_id)
            if used is None:  # first round since start: what the state kept (Redis)
                kept = await self.boards.entry(
                    _attempts_key(definition), facts.player_id, sort="desc"
                )
                used = 0 if kept is None else kept.score
            if used >= definition.attempts_max:
                continue
            tracked.attempts[facts.player_id] = used + 1
            t_s = min((ts_ms - definition.starts_at_ms) // 1000, 2**25 - 1)
            updates.append(
                Update(_attempts_key(definition), facts.player_id, 1, t_s, "desc", "incr")
            )
            updates.append(
                Update(
                    definition.board_id,
                    facts.player_id,
                    value,
                    t_s,
                    definition.sort,
                    definition.operator,
                )
            )
            boards.append(definition.board_id)
        return updates, boards

    # -- queries -----------------------------------------------------------------------------
    async def get(self, tournament_id: str) -> dict[str, Any]:
        definition, state = await self._get(tournament_id)
        stored = await self.store.tournament(tournament_id)
        view: dict[str, Any] = {**definition.as_json(), "state": state}
        if state == "settled" and stored is not None and stored.results_json:
            view["results"] = json.loads(stored.results_json)
        else:
            top = await self.boards.top(definition.board_id, _LIST_MAX, sort=definition.sort)
            view["standings"] = [entry.as_json() for entry in top]
        view["entrants"] = len(await self.store.entries(tournament_id))
        return view

    async def standings(self, board_id: str) -> tuple[str, list[Entry]]:
        """A tournament board's live top, for ``leaderboard:<board>`` pushes."""
        definition, _ = await self._get(board_id.removeprefix(TOURNAMENT_BOARD_PREFIX))
        top = await self.boards.top(
            board_id, self.leaderboards.limits.live_top, sort=definition.sort
        )
        return definition.id, top

    async def list(self) -> list[dict[str, Any]]:
        return [
            {**_definition(stored.definition_json).as_json(), "state": stored.state}
            for stored in await self.store.tournaments(limit=_LIST_MAX)
        ]

    # -- settling ----------------------------------------------------------------------------
    async def settle_due(self) -> int:
        settled = 0
        for tournament_id in await self.store.due_tournaments(self.clock_ms(), limit=_LIST_MAX):
            await self.settle(tournament_id)
            settled += 1
        return settled

    async def settle(self, tournament_id: str) -> dict[str, Any]:
        """Fix the results (once), pay them (each transfer once), mark settled, publish."""
        definition, state = await self._get(tournament_id)
        if state == "open":
            if self.clock_ms() < definition.ends_at_ms:
                raise StateConflict(f"tournament {tournament_id!r} has not ended")
            await self.leaderboards.caught_up()  # every round heard of is on the board
            results = await self._results(definition)
            await self.store.move_tournament(
                tournament_id, from_state="open", to_state="settling", results_json=results
            )  # False: another settler fixed them first; theirs are read below
        stored = await self.store.tournament(tournament_id)
        if stored is None or stored.results_json is None:
            raise StateConflict(f"tournament {tournament_id!r} has no results")
        results_view: dict[str, Any] = json.loads(stored.results_json)
        if stored.state == "settling":
            await pay(self.ledger, definition, results_view)
            await self.store.move_tournament(
                tournament_id, from_state="settling", to_state="settled", results_json=None
            )
            self._open.pop(tournament_id, None)
            await self._publish(definition, stored.results_json)
        return results_view

    async def _results(self, definition: TournamentDefinition) -> str:
        top = await self.boards.top(
            definition.board_id, max(_STANDINGS_KEPT, len(definition.prizes)), sort=definition.sort
        )
        prizes = plan_prizes([entry.player_id for entry in top], definition.prizes)
        entries = await self.store.entries(definition.id)
        fees = sum(fee for _, fee in entries)
        paid = sum(amount for _, _, amount in prizes)
        return json.dumps(
            {
                "standings": [entry.as_json() for entry in top],
                "prizes": [list(prize) for prize in prizes],
                "entrants": [player for player, _ in entries],
                "fees_minor": fees,
                "funding_minor": max(paid - fees, 0),
            },
            separators=(",", ":"),
        )

    async def _publish(self, definition: TournamentDefinition, results_json: str) -> None:
        if self.stream is None:
            return
        try:
            await self.stream.broadcast(
                StreamEvent(
                    board_stream(definition.board_id),
                    2**53,  # after every live push of its standings
                    SETTLED_TYPE,
                    time.time_ns() // 10**6,
                    results_json,
                )
            )
        except Exception:  # the results stay readable over HTTP
            _log.warning("publishing tournament %s results failed", definition.id, exc_info=True)

    async def refresh(self) -> None:
        """Track the open tournaments and entrants other processes added (a cluster's
        gateways create and take joins; the writer's feed counts): read from the store."""
        for stored in await self.store.tournaments(limit=_LIST_MAX):
            if stored.state != "open":
                continue
            definition = _definition(stored.definition_json)
            tracked = self._open.get(definition.id)
            if tracked is None:
                await self._track(definition)
                continue
            for player_id, joined_ms in (await self.store.entered_at(definition.id)).items():
                tracked.entrants.setdefault(player_id, joined_ms)

    async def _settle_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settle_interval_s)
            try:
                await self.refresh()
                await self.settle_due()
            except Exception:  # the next pass tries again: every step is idempotent
                _log.exception("settling tournaments failed")

    async def _get(self, tournament_id: str) -> tuple[TournamentDefinition, str]:
        stored = (
            await self.store.tournament(tournament_id) if isinstance(tournament_id, str) else None
        )
        if stored is None:
            raise NotFound(f"no tournament {tournament_id!r}")
        return _definition(stored.definition_json), stored.state


def _definition(document: str) -> TournamentDefinition:
    return parse_tournament(json.loads(document), where="tournaments")


def _attempts_key(definition: TournamentDefinition) -> str:
    return f"{definition.board_id}:attempts"
