"""Wiring of the payments layer (issue 16): the workflow store, the providers named by the
settings, the router, the ledger steps, the service and (in the writer's process) the
poller. Kept out of ``bootstrap.py`` so the composition root gains a few lines."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from croupier.adapters.payments import SandboxPaymentProvider
from croupier.adapters.payments.provider_url import provider_from_url
from croupier.adapters.storage.payments_store import make_payment_store
from croupier.config import ConfigError, Settings
from croupier.domain.accounts.player import Player
from croupier.services.ledger import Ledger
from croupier.services.payments.book import PaymentBook
from croupier.services.payments.ports import PaymentProvider
from croupier.services.payments.router import PaymentRouter
from croupier.services.payments.service import PaymentService
from croupier.services.payments.store import PaymentStore

__all__ = ["Payments", "open_payments", "open_writer_payments", "run_poller"]

log = logging.getLogger("croupier.payments")


def _clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class Payments:
    store: PaymentStore
    service: PaymentService
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    #: The stores opened for this service alone (the writer's players, audit, limits).
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        router = self.service.router
        for name in router.names:  # the HTTP providers' connection pools
            aclose = getattr(router.provider(name), "aclose", None)
            if aclose is not None:
                await aclose()
        await self.store.close()
        for close in self.closers:
            await close()


def make_providers(settings: Settings) -> list[PaymentProvider]:
    providers: list[PaymentProvider] = []
    for setting in settings.payments.providers:
        if setting.url is None:
            providers.append(SandboxPaymentProvider(approve=settings.payments_approve))
            continue
        try:
            providers.append(provider_from_url(setting.url))
        except ValueError as error:
            raise ConfigError(f"payment provider {setting.name}: {error}") from None
    return providers


async def open_payments(
    settings: Settings,
    ledger: Ledger,
    players: Callable[[str], Awaitable[Player | None]],
    *,
    poller: bool,
    providers: list[PaymentProvider] | None = None,
) -> Payments:
    """The payments service on its opened store; with ``poller``, its look-up loop runs."""
    router = PaymentRouter(providers or make_providers(settings), clock_ms=_clock_ms)
    store = make_payment_store(settings.database_url)
    await store.open()
    service = PaymentService(
        store,
        PaymentBook(ledger, players=players),
        router,
        clock_ms=_clock_ms,
        limits=settings.payments.limits,
    )
    payments = Payments(store, service)
    if poller:
        interval_s = settings.payments.poll_interval_ms / 1000
        payments.tasks.append(asyncio.create_task(run_poller(service, interval_s)))
    return payments


async def run_poller(service: PaymentService, interval_s: float) -> None:
    """Resolve open outcomes with look-ups, at the pace the backoff sets (one per writer)."""
    while True:
        found = 0
        try:
            found = await service.poll_due()
        except Exception:  # a database blip: the next round tries again
            log.exception("the payments poller's round failed")
        if found < service.limits.poll_batch_max:
            await asyncio.sleep(interval_s)


async def open_writer_payments(
    settings: Settings, ledger: Ledger, *, providers: list[PaymentProvider] | None = None
) -> Payments:
    """The payments poller of ``croupier writer`` (the active writer of a cluster: one
    poller per ledger), wired as a gateway's service is: with the players and the
    responsible-gambling deposit limits, so a deposit the poller fails here carries the same
    take-back of its allowance as one failed in a gateway (a limit lowered while the deposit
    was out leaves nothing above it to spend). ``close()`` stops it and its stores."""
    # bootstrap imports this module: the composition root's helpers come in late.
    from croupier.bootstrap import (
        make_audit_store,
        make_player_store,
        open_responsible,
        open_vault,
    )
    from croupier.services.audit import AuditLog

    vault = await open_vault(settings)
    players = make_player_store(settings.database_url, vault)
    audit = AuditLog(make_audit_store(settings.database_url))
    closers: list[Callable[[], Awaitable[None]]] = []
    try:
        await players.open()
        closers.append(players.close)
        await audit.open()
        closers.append(audit.close)
        # No accounts here: the service answers the limits, never ends a session.
        responsible = await open_responsible(settings, ledger, players, None, audit)
        closers.append(responsible.store.close)
        payments = await open_payments(
            settings, ledger, players.get_player, poller=True, providers=providers
        )
    except BaseException:
        for close in reversed(closers):
            await close()
        raise
    payments.service.book.deposit_limits = responsible
    payments.closers.extend(reversed(closers))
    return payments
