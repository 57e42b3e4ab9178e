"""Wiring of KYC and AML (issue 15): their store, services and the AML rules engine, and the
two hooks into the back office (the play gate asks the KYC rule; the withdrawal hold and
the review queue's approval too). Kept out of ``bootstrap.py`` so the composition root
gains three lines, not fifty."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from croupier.adapters.kyc import SandboxKycProvider
from croupier.adapters.vault import Vault
from croupier.config import Settings
from croupier.services.accounts.ports import PlayerStore
from croupier.services.aml import AmlMonitor, RiskQueue, RiskStore
from croupier.services.audit import AuditLog, AuditTrail
from croupier.services.backoffice import Backoffice
from croupier.services.compliance import load_jurisdictions
from croupier.services.handlers import EventHandlers
from croupier.services.kyc import (
    KycCheck,
    KycService,
    KycStore,
    KycWithdrawalHold,
    RegisteredProfiles,
)
from croupier.services.ledger import LedgerClient
from croupier.services.wallet import WalletService

_log = logging.getLogger("croupier.compliance")

__all__ = [
    "KycAml",
    "KycAmlStore",
    "attach",
    "make_kyc_aml_store",
    "open_aml_monitor",
    "open_kyc_aml",
    "open_writer_aml",
    "warn_kyc_not_enforced",
]


class KycAmlStore(KycStore, RiskStore, Protocol):
    """Both ports on one store (one pair of tables in the ledger's database)."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...


def make_kyc_aml_store(database_url: str) -> KycAmlStore:
    """The KYC and risk store for a database URL (the ledger's writer migrates it)."""
    if database_url.startswith("sqlite:///"):
        from croupier.adapters.storage.sqlite.kyc_aml import SqliteKycAmlStore

        return SqliteKycAmlStore(database_url.removeprefix("sqlite:///"))
    from croupier.adapters.storage.postgres.kyc_aml import PostgresKycAmlStore

    return PostgresKycAmlStore(database_url)


def _clock_ms() -> int:
    return time.time_ns() // 1_000_000


def _today() -> date:
    return datetime.now(UTC).date()


@dataclass
class KycAml:
    store: KycAmlStore
    kyc: KycService
    check: KycCheck
    risk: RiskQueue
    #: None in a gateway (and with CROUPIER_AML=0): it runs where the ledger writer runs.
    monitor: AmlMonitor | None

    async def close(self) -> None:
        if self.monitor is not None:
            await self.monitor.close()
        await self.store.close()


def open_aml_monitor(
    settings: Settings,
    ledger: LedgerClient,
    store: RiskStore,
    audit: AuditTrail,
    handlers: EventHandlers,
) -> AmlMonitor | None:
    """The rules engine on ``handlers`` (the writer's table), started; None when disabled."""
    if not settings.kyc_aml.aml_enabled:
        return None
    monitor = AmlMonitor(ledger, store, audit, settings.kyc_aml.aml_rules, clock_ms=_clock_ms)
    monitor.register(handlers)
    monitor.start()
    return monitor


async def open_writer_aml(
    settings: Settings, ledger: LedgerClient, handlers: EventHandlers
) -> Callable[[], Awaitable[None]]:
    """The AML engine of ``croupier writer`` (the active writer of a cluster, where the
    handler table hears commits); the closer to call when it stops."""
    from croupier.bootstrap import make_audit_store  # bootstrap imports this module

    store = make_kyc_aml_store(settings.database_url)
    audit = AuditLog(make_audit_store(settings.database_url))
    await store.open()
    try:
        await audit.open()
    except BaseException:
        await store.close()
        raise
    monitor = open_aml_monitor(settings, ledger, store, audit, handlers)

    async def close() -> None:
        if monitor is not None:
            await monitor.close()
        await audit.close()
        await store.close()

    return close


async def open_kyc_aml(
    settings: Settings,
    *,
    players: PlayerStore,
    ledger: LedgerClient,
    vault: Vault,
    audit: AuditTrail,
    handlers: EventHandlers | None,
) -> KycAml:
    """Open the store and build the services; ``handlers``: the writer's handler table
    (None in a gateway: no AML engine there)."""
    store = make_kyc_aml_store(settings.database_url)
    await store.open()
    if not settings.kyc_aml.kyc_enforce:
        warn_kyc_not_enforced(settings.database_url)
    registry = load_jurisdictions(settings.compliance)
    check = KycCheck(
        store,
        RegisteredProfiles(players, registry),
        enforce=settings.kyc_aml.kyc_enforce,
        today=_today,
    )
    kyc = KycService(store, SandboxKycProvider(), vault, audit, clock_ms=_clock_ms, today=_today)
    monitor = None
    if handlers is not None:
        monitor = open_aml_monitor(settings, ledger, store, audit, handlers)
    return KycAml(store, kyc, check, RiskQueue(store, audit, clock_ms=_clock_ms), monitor)


def warn_kyc_not_enforced(database_url: str) -> None:
    """Say at every start, where an operator looks, that players go unverified."""
    where = (
        "the default on SQLite, a development database"
        if database_url.startswith("sqlite:///")
        else "set on PostgreSQL"
    )
    _log.warning(
        "KYC IS NOT ENFORCED (CROUPIER_KYC_ENFORCE=0, %s): players deposit, play and withdraw "
        "without identity verification wherever their jurisdiction requires it. A licensed "
        "deployment runs on PostgreSQL, where it is enforced by default "
        "(docs/compliance.md#kyc).",
        where,
    )


def attach(kyc_aml: KycAml, backoffice: Backoffice, wallet: WalletService) -> None:
    """The one KYC rule, asked by the play gate (deposits, rounds), the withdrawal hold
    (a withdrawal waits) and the review queue (no approval before verification)."""
    backoffice.gate.kyc = kyc_aml.check
    backoffice.withdrawals.kyc = kyc_aml.check
    wallet.hold = KycWithdrawalHold(kyc_aml.check, wallet.hold)
