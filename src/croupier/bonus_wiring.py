"""Wiring of the bonus engine (issue 18, docs/bonuses.md): its service on the ledger, the
rounds' and the wallet's hooks, deposit matches on the writer's handler table and the
sweep that ends due bonuses. Kept out of ``bootstrap.py`` so the composition root gains a
few lines."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from croupier.config import Settings
from croupier.domain.accounts.player import Player
from croupier.domain.bonus import BonusKind, BonusPolicy, cashback_period
from croupier.domain.errors import CroupierError, GeoBlocked
from croupier.domain.events import BalanceChanged
from croupier.services.bonus import BonusService, BonusStates, RoundBonus
from croupier.services.bonus.cashback import CashbackRun, pay_cashback
from croupier.services.bonus.matches import grant_waiting_matches
from croupier.services.compliance.gate import ComplianceGate
from croupier.services.engagement.segments import Segments
from croupier.services.handlers import Committed, EventHandlers
from croupier.services.ledger import LedgerClient
from croupier.services.rounds import RoundService
from croupier.services.wallet import WalletService

__all__ = ["BonusEngine", "open_bonus", "open_writer_bonus"]

_log = logging.getLogger("croupier.bonus")


def _clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class BonusEngine:
    service: BonusService
    rounds: RoundBonus
    players: Callable[[str], Awaitable[Player | None]]
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    #: (offer, period) of the cashback this process has paid.
    cashback_paid: set[tuple[str, int]] = field(default_factory=set)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def sweep(self) -> int:
        """End due bonuses, then grant the deposit matches a crash interrupted: how many
        bonuses ended or were granted (0: nothing to do)."""
        ended = await self.service.sweep(self.players, limit=10_000)
        return ended + await grant_waiting_matches(self.service, self.players, limit=100_000)

    async def cashback(self, offer_id: str, *, today: date, players_max: int) -> CashbackRun:
        return await pay_cashback(
            self.service, offer_id, self.players, today=today, players_max=players_max
        )

    async def cashback_due(self, today: date) -> None:
        """Pay every active cashback offer's last completed period, once per process (a
        rerun after a restart pays nobody twice)."""
        for offer in await self.service.offers.all():
            if offer.terms.kind is not BonusKind.CASHBACK or not offer.active:
                continue
            period = cashback_period((today - date(1970, 1, 1)).days, offer.terms.period_days)
            if (offer.offer_id, period[0]) in self.cashback_paid:
                continue
            done = await self.cashback(offer.offer_id, today=today, players_max=100_000)
            self.cashback_paid.add((offer.offer_id, period[0]))
            _log.info("cashback %s: %s", offer.offer_id, done.as_json())


def open_bonus(
    settings: Settings,
    *,
    ledger: LedgerClient,
    rounds: RoundService | None,
    wallet: WalletService | None,
    segments: Segments,
    compliance: ComplianceGate | None,
    players: Callable[[str], Awaitable[Player | None]],
    handlers: EventHandlers | None,
) -> BonusEngine:
    """Build the engine and hook it into rounds and withdrawals (if given: not in
    ``croupier writer``); with ``handlers`` (the writer's process) match settled deposits
    and sweep due bonuses."""
    config = settings.bonus
    states = BonusStates(
        ledger,
        clock_ms=_clock_ms,
        cache_ttl_ms=config.cache_ttl_ms,
        cache_entries_max=config.cache_entries_max,
    )

    async def standing(player: Player) -> tuple[frozenset[str], str | None]:
        found = await segments.of_player(player)
        barred = None if found.ineligible is None else found.ineligible.value
        return frozenset(segment.value for segment in found.segments), barred

    def policy_of(player: Player) -> BonusPolicy:
        if compliance is None:
            return BonusPolicy()
        try:
            return compliance.profile_of(player).bonuses
        except GeoBlocked:
            return BonusPolicy(allowed=False)

    def kind_of(game_id: str) -> str | None:
        facts = None if compliance is None else compliance.games.get(game_id)
        return None if facts is None else facts.kind

    service = BonusService(
        ledger, states, standing=standing, policy_of=policy_of, clock_ms=_clock_ms
    )
    engine = BonusEngine(service, RoundBonus(service, kind_of), players)
    if rounds is not None:
        rounds.bonus = engine.rounds
    if wallet is not None:
        wallet.bonus = service
    if handlers is not None:
        handlers.on(BalanceChanged, lambda committed: _on_balance(engine, committed))
        if config.sweep_interval_s:
            engine.spawn(_sweep_forever(engine, config.sweep_interval_s))
    return engine


def _on_balance(engine: BonusEngine, committed: Committed[BalanceChanged]) -> None:
    """A settled deposit may complete a deposit match (granted off the commit path)."""
    notice = committed.record
    if notice.reason != "deposit" or notice.delta <= 0:
        return

    async def match() -> None:
        player = await engine.players(notice.player_id)
        if player is None:
            return
        try:
            await engine.service.on_deposit(player, notice.delta)
        except CroupierError:
            _log.warning("deposit match of %s failed", notice.player_id, exc_info=True)

    engine.spawn(match())


async def _sweep_forever(engine: BonusEngine, interval_s: int) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            changed = await engine.sweep()
            await engine.cashback_due(datetime.now(UTC).date())
        except Exception:  # the sweep must outlive a bad moment (the database away)
            _log.exception("the bonus sweep failed")
            continue
        if changed:
            _log.info("bonus sweep: %d bonuses ended or granted", changed)


async def open_writer_bonus(
    settings: Settings, ledger: LedgerClient, handlers: EventHandlers
) -> Callable[[], Awaitable[None]]:
    """The bonus engine of ``croupier writer`` (the active writer of a cluster, one per
    ledger, whose handler table hears every commit): deposit matches, the sweep (expiries,
    conversions, interrupted matches) and cashback, with the same checks a gateway makes
    (the player's segments and bars, their jurisdiction's bonus policy). The gateways serve
    claims, rounds and withdrawals. Returns the closer to call when it stops."""
    # bootstrap imports this module: the composition root's helpers come in late.
    from croupier.adapters.game_files import GameFiles
    from croupier.bootstrap import (
        make_audit_store,
        make_backoffice_store,
        make_player_store,
        open_responsible,
        open_vault,
    )
    from croupier.personalisation_wiring import _AccountControl, make_engagement_store
    from croupier.services.audit import AuditLog
    from croupier.services.catalogue import GameCatalogue
    from croupier.services.compliance.settings import build_compliance_gate

    games = GameFiles.shipped(overlay=settings.games_dir)
    definitions = {game_id: games.load(game_id) for game_id in games.game_ids()}
    vault = await open_vault(settings)
    players = make_player_store(settings.database_url, vault)
    audit = AuditLog(make_audit_store(settings.database_url))
    backoffice = make_backoffice_store(settings.database_url)
    engagement = make_engagement_store(settings.database_url)
    closers: list[Callable[[], Awaitable[None]]] = []
    try:
        for store in (players, audit, backoffice, engagement):
            await store.open()
            closers.append(store.close)
        # No accounts here: the service answers exclusions and limits, ends no session.
        responsible = await open_responsible(settings, ledger, players, None, audit)
        closers.append(responsible.store.close)
    except BaseException:
        for undo in reversed(closers):
            await undo()
        raise
    segments = Segments(
        engagement,
        settings.engagement.rules,
        players=players.get_player,
        responsible=responsible.store,
        accounts=_AccountControl(backoffice),
        risk=engagement,
        clock=lambda: datetime.now(UTC),
    )
    compliance = build_compliance_gate(
        settings.compliance,
        definitions,
        GameCatalogue.load(games),
        clock=lambda: datetime.now(UTC),
        audit=audit,
    )
    engine = open_bonus(
        settings, ledger=ledger, rounds=None, wallet=None, segments=segments,
        compliance=compliance, players=players.get_player, handlers=handlers,
    )  # fmt: skip

    async def close() -> None:
        await engine.close()
        for close_store in reversed(closers):
            await close_store()

    return close
