"""Wiring of personalisation (issue 18): the engagement store, the tally on the writer's
handler table, segments and the recommender with its retraining task. Kept out of
``bootstrap.py`` so the composition root gains a few lines, not fifty."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from croupier.config import Settings
from croupier.services.accounts.ports import PlayerStore
from croupier.services.backoffice import BackofficeStore
from croupier.services.backoffice.ports import PlayerStatus
from croupier.services.catalogue import GameCatalogue
from croupier.services.compliance.gate import ComplianceGate
from croupier.services.compliance.responsible import ResponsibleGambling
from croupier.services.engagement.ports import EngagementStore
from croupier.services.engagement.recommendations import Recommender
from croupier.services.engagement.segments import OpenRiskFlags, Segments
from croupier.services.engagement.tally import EngagementTally
from croupier.services.handlers import EventHandlers

__all__ = [
    "EngagementDatabaseStore",
    "Personalisation",
    "make_engagement_store",
    "open_personalisation",
    "open_writer_tally",
]


class EngagementDatabaseStore(EngagementStore, OpenRiskFlags, Protocol):
    """The database stores implement both."""


def make_engagement_store(database_url: str) -> EngagementDatabaseStore:
    """The engagement store for a database URL (the ledger's writer migrates it)."""
    if database_url.startswith("sqlite:///"):
        from croupier.adapters.storage.sqlite.personalisation import SqliteEngagementStore

        return SqliteEngagementStore(database_url.removeprefix("sqlite:///"))
    from croupier.adapters.storage.postgres.personalisation import PostgresEngagementStore

    return PostgresEngagementStore(database_url)


class _AccountControl:
    """``AccountFlags`` on the back office's store: no row is an active, unflagged account."""

    def __init__(self, store: BackofficeStore) -> None:
        self.store = store

    async def account(self, player_id: str) -> tuple[bool, frozenset[str]]:
        control = await self.store.control(player_id)
        if control is None:
            return True, frozenset()
        return control.status is PlayerStatus.ACTIVE, control.flags


@dataclass
class Personalisation:
    store: EngagementDatabaseStore
    #: None in a gateway: the tally runs where the handler table hears commits.
    tally: EngagementTally | None
    segments: Segments
    recommender: Recommender

    async def close(self) -> None:
        await self.recommender.close()
        if self.tally is not None:
            await self.tally.close()  # its last counts, before the store closes
        await self.store.close()


async def open_personalisation(
    settings: Settings,
    *,
    handlers: EventHandlers | None,
    players: PlayerStore,
    responsible: ResponsibleGambling | None,
    backoffice: BackofficeStore | None,
    catalogue: GameCatalogue,
    playable: Callable[[], Collection[str]],
    compliance: ComplianceGate | None,
) -> Personalisation:
    """Open the store, register the tally on ``handlers`` (the writer's table; None in a
    gateway) and start it and the recommender's training task."""
    config = settings.engagement
    store = make_engagement_store(settings.database_url)
    await store.open()
    segments = Segments(
        store,
        config.rules,
        players=players.get_player,
        responsible=None if responsible is None else responsible.store,
        accounts=None if backoffice is None else _AccountControl(backoffice),
        risk=store,
        clock=lambda: datetime.now(UTC),
    )
    recommender = Recommender(
        store,
        segments,
        catalogue,
        playable=playable,
        compliance=compliance,
        settings=config,
        clock_ms=lambda: time.time_ns() // 1_000_000,
    )
    tally = None
    if handlers is not None:
        tally = EngagementTally(store, rules=config.rules, limits=config.tally)
        tally.register(handlers)
        tally.start()
    recommender.start()
    return Personalisation(store, tally, segments, recommender)


async def open_writer_tally(
    settings: Settings, handlers: EventHandlers
) -> Callable[[], Awaitable[None]]:
    """The engagement tally of ``croupier writer`` (the active writer of a cluster, where the
    handler table hears commits; the gateways serve recommendations from its tables); the
    closer to call when it stops (it writes the last counts)."""
    store = make_engagement_store(settings.database_url)
    await store.open()
    tally = EngagementTally(
        store, rules=settings.engagement.rules, limits=settings.engagement.tally
    )
    tally.register(handlers)
    tally.start()

    async def close() -> None:
        await tally.close()
        await store.close()

    return close
