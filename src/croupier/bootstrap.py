"""The composition root: the one place that picks adapters and wires them to services."""

from __future__ import annotations

import asyncio
import logging
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from croupier.adapters.cards.keys import load_card_kek
from croupier.adapters.game_files import GameFiles
from croupier.adapters.ledger_rpc import RemoteLedger, RemoteSubmitter, nats_servers, submit_subject
from croupier.adapters.login_limiter import MemoryLoginLimiter
from croupier.adapters.vault import DataKeyStore, Vault, load_kek
from croupier.bonus_wiring import BonusEngine, open_bonus
from croupier.cards_wiring import open_card_vault
from croupier.config import ConfigError, Settings, require_ledger_secret
from croupier.domain.accounts import Player
from croupier.domain.errors import CroupierError, GameDefinitionError, LedgerUnavailable
from croupier.domain.fairness import ProvablyFairSource
from croupier.domain.games.base import InstantGame, TableGame
from croupier.domain.games.instant import RouletteKind, SlotKind
from croupier.domain.games.slots import SlotGame
from croupier.domain.games.tables import BlackjackKind
from croupier.engagement_wiring import Engagement, open_engagement
from croupier.kyc_aml_wiring import KycAml, attach, open_kyc_aml
from croupier.payments_wiring import Payments, open_payments
from croupier.personalisation_wiring import Personalisation, open_personalisation
from croupier.poker_wiring import open_poker
from croupier.security_wiring import open_security
from croupier.services.accounts import AccountService, PlayerStore, load_common_passwords
from croupier.services.accounts.ports import LoginLimiter, PasswordHasher
from croupier.services.audit import (
    AuditEntry,
    AuditLog,
    AuditStore,
    AuditTrail,
    MemoryAuditStore,
)
from croupier.services.backoffice import (
    AccountControl,
    AdjustmentService,
    Backoffice,
    BackofficeStore,
    GameSwitches,
    JackpotControl,
    PlayerDirectory,
    PlayGate,
    RoundControl,
    WithdrawalReviews,
)
from croupier.services.backoffice.compliance_view import ComplianceView
from croupier.services.cards import CardVault
from croupier.services.catalogue import GameCatalogue
from croupier.services.compliance.gate import ComplianceGate
from croupier.services.compliance.pacing import MemorySpinPacer, SpinPacer
from croupier.services.compliance.responsible import ResponsibleGambling, ResponsibleStore
from croupier.services.compliance.settings import build_compliance_gate
from croupier.services.fairness import FairnessService, SeedPairStore
from croupier.services.handlers import EventHandlers
from croupier.services.jackpots import JackpotDisplay, JackpotTicker
from croupier.services.ledger import Ledger, LedgerStore, LedgerWriter
from croupier.services.ledger.ports import LedgerClient, StreamReader
from croupier.services.poker import TableDirectory
from croupier.services.presence import PlayerConnections
from croupier.services.reports import ReportService, ReportStore
from croupier.services.rounds import RoundService
from croupier.services.staff import StaffService, StaffStore
from croupier.services.stream import EventStream, OutboxRelay
from croupier.services.wallet import WalletService

__all__ = [
    "Platform",
    "SharedState",
    "make_audit_store",
    "make_backoffice",
    "make_backoffice_store",
    "make_data_key_store",
    "make_player_store",
    "make_report_store",
    "make_seed_pair_store",
    "make_shared_state",
    "make_staff_store",
    "make_store",
    "make_stream",
    "open_ledger",
    "open_platform",
    "open_reports",
    "open_vault",
    "unavailable_errors",
]


def make_store(database_url: str) -> LedgerStore:
    """The storage adapter for a database URL (``sqlite:///PATH`` or ``postgresql://…``)."""
    if database_url.startswith("sqlite:///"):
        from croupier.adapters.storage.sqlite import SqliteLedgerStore

        return SqliteLedgerStore(database_url.removeprefix("sqlite:///"))
    from croupier.adapters.storage.postgres import PostgresLedgerStore

    return PostgresLedgerStore(database_url)


async def open_ledger(settings: Settings, *, writer: bool = True) -> Ledger:
    """Open the configured ledger; as the writer, start its group-commit loop."""
    store = make_store(settings.database_url)
    await store.open(writer=writer)
    if not writer:
        return Ledger(store, None)
    ledger_writer = LedgerWriter(store, limits=settings.ledger)
    try:
        await ledger_writer.start()
    except BaseException:
        await store.close()
        raise
    return Ledger(store, ledger_writer)


@dataclass
class Platform:
    """Everything a server process runs, opened together and closed together."""

    settings: Settings
    ledger: Ledger
    players: PlayerStore
    accounts: AccountService
    wallet: WalletService
    seed_pairs: SeedPairStore
    fairness: FairnessService
    catalogue: GameCatalogue
    rounds: RoundService
    stream: EventStream
    ticker: JackpotTicker
    #: None in a gateway: the writer's process relays the outbox.
    relay: OutboxRelay | None
    #: Event type → handlers: where consumers of committed events register (see
    #: ``services/handlers.py``); the relay and the ticker are its batch handlers.
    handlers: EventHandlers = field(default_factory=EventHandlers)
    #: Staff actions and players' security events, hash-chained in the ledger's database
    #: (see ``services/audit``); a platform built by hand keeps them in memory.
    audit: AuditLog = field(default_factory=lambda: AuditLog(MemoryAuditStore()))
    #: The operator's staff: the back office's logins and roles (``services/staff``).
    staff: StaffService | None = None
    #: Open WebSocket connections per player across gateways (None: this process alone).
    player_connections: PlayerConnections | None = None
    #: The newest jackpot tick, kept for gateways that join later (None: not shared).
    jackpot_display: JackpotDisplay | None = None
    #: Seals personal data and secrets (``vault.encrypt(plaintext, context)``; see
    #: ``adapters/vault``). None only in a Platform built by hand.
    vault: Vault | None = None
    #: The back office's reports (GGR/NGR, RTP, liabilities) on a reader of the ledger's
    #: database; ``croupier report`` builds the same service (:func:`open_reports`). None
    #: only in a Platform built by hand.
    reports: ReportService | None = None
    #: The back-office operations (``services/backoffice``), for the admin API.
    backoffice: Backoffice | None = None
    #: Jurisdiction profiles and geolocation, called by the edge (docs/compliance.md).
    #: None only in a Platform built by hand: nothing is checked then.
    compliance: ComplianceGate | None = None
    #: Players' responsible-gambling tools (``services/compliance/responsible.py``).
    responsible: ResponsibleGambling | None = None
    #: KYC, the AML engine (writer processes only) and the risk queue (issue 15).
    kyc_aml: KycAml | None = None
    #: The card vault (issue 16): cards in, tokens out; its own KEK (docs/security.md).
    cards: CardVault | None = None
    #: The live cash tables this process owns (``services/poker``); None in a gateway.
    poker: TableDirectory | None = None
    #: The payments layer: providers, workflow store, poller (``payments_wiring``).
    payments: Payments | None = None
    #: Leaderboards and slot tournaments (``engagement_wiring.py``, docs/engagement.md).
    engagement: Engagement | None = None
    #: Recommendations and segments (issue 18; ``personalisation_wiring.py``).
    personalisation: Personalisation | None = None
    #: The bonus engine (issue 18; ``bonus_wiring.py``, docs/bonuses.md).
    bonus: BonusEngine | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)
    async_closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def readiness_problems(self) -> list[str]:
        """Why this process should not take traffic now (empty when ready)."""
        problems = []
        if isinstance(self.ledger, RemoteLedger):
            # A gateway is ready without a writer: it answers 503 ledger-unavailable for
            # writes until one is active, and serves reads meanwhile.
            if not self.ledger.submitter.connected:
                problems.append("NATS is unreachable")
        elif self.ledger.writer is None or not self.ledger.writer.alive:
            problems.append("the ledger writer is not running")
        try:
            await self.ledger.head()
        except Exception as error:
            problems.append(f"the database is unreachable: {error.__class__.__name__}")
        return problems

    async def close(self) -> None:
        if self.poker is not None:  # its timers act on the ledger: stopped first
            await self.poker.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.relay is not None:  # what it had not published, it republishes after a restart
            await self.relay.close()
        await self.ticker.close()
        await self.stream.close()
        try:
            if self.payments is not None:
                await self.payments.close()
            if self.kyc_aml is not None:  # its engine reads the ledger and writes the trail
                await self.kyc_aml.close()
            if self.engagement is not None:  # it settles tournaments on the ledger
                await self.engagement.close()
            await self.seed_pairs.close()
            await self.players.close()
            await self.audit.close()
            if self.backoffice is not None:
                await self.backoffice.store.close()
            if self.responsible is not None:
                await self.responsible.store.close()
        finally:
            await self.ledger.close()
            for close in self.closers:
                close()
            for aclose in self.async_closers:
                await aclose()


def make_stream(stream_url: str, ledger: StreamReader, replicas: int = 1) -> EventStream:
    """The event stream adapter for ``CROUPIER_STREAM_URL``."""
    if stream_url == "memory://":
        from croupier.adapters.stream.inprocess import InProcessStream

        return InProcessStream(ledger)
    from croupier.adapters.stream.nats import JetStreamStream

    # nats://host:port[?stream=NAME&prefix=SUBJECT_PREFIX]: several deployments (or tests)
    # can share one NATS server without seeing each other's events.
    address, _, query = stream_url.partition("?")
    options = dict(urllib.parse.parse_qsl(query))
    return JetStreamStream(
        address,
        stream_name=options.get("stream", "CROUPIER_EVENTS"),
        subject_prefix=options.get("prefix", "croupier"),
        num_replicas=replicas,
    )


async def open_stream(
    settings: Settings,
    ledger: Ledger,
    handlers: EventHandlers,
    display: JackpotDisplay | None = None,
) -> tuple[EventStream, OutboxRelay, JackpotTicker]:
    """The event stream, with the relay and the ticker on the handler table, which listens
    to the ledger writer."""
    assert ledger.writer is not None
    stream = make_stream(settings.realtime.stream_url, ledger, settings.realtime.stream_replicas)
    await stream.start()
    relay = OutboxRelay(ledger, stream)
    ticker = JackpotTicker(
        ledger, stream, interval_s=settings.realtime.jackpot_tick_ms / 1000, display=display
    )
    ledger.writer.on_commit(handlers.committed)
    handlers.on_batch(relay.on_commit)  # before they start: no commit falls between
    handlers.on_batch(ticker.on_commit)
    try:
        await relay.start()
        await ticker.start()
    except BaseException:
        await relay.close()
        await ticker.close()
        await stream.close()
        raise
    return stream, relay, ticker


AsyncCloser = Callable[[], Awaitable[None]]


@dataclass
class SharedState:
    """What gateways share (``CROUPIER_STATE_URL``), and what closes it."""

    limiter: LoginLimiter
    player_connections: PlayerConnections | None  # None: the gateway counts them itself
    jackpot_display: JackpotDisplay | None  # None: the ticker's own values are the display
    closers: list[AsyncCloser]
    #: The last slot spin per player (docs/compliance.md, spin pacing).
    spin_pacer: SpinPacer = field(default_factory=MemorySpinPacer)


def make_shared_state(settings: Settings) -> SharedState:
    """In this process (``memory://``), or shared by every gateway on Redis."""
    if settings.state_url == "memory://":
        return SharedState(MemoryLoginLimiter(settings.accounts), None, None, [])
    from croupier.adapters.state.connection import connect_state
    from croupier.adapters.state.jackpots import RedisJackpotDisplay
    from croupier.adapters.state.login_limiter import RedisLoginLimiter
    from croupier.adapters.state.pacing import RedisSpinPacer
    from croupier.adapters.state.presence import RedisPlayerConnections

    if not settings.state_secret:
        raise ConfigError("shared state needs CROUPIER_STATE_SECRET (docs/configuration.md)")
    state = connect_state(settings.state_url)
    return SharedState(
        RedisLoginLimiter(state, settings.accounts, settings.state_secret),
        RedisPlayerConnections(state),
        RedisJackpotDisplay(state),
        [state.close],
        RedisSpinPacer(state),
    )


def unavailable_errors(database_url: str) -> tuple[type[BaseException], ...]:
    """The storage adapter's errors that mean "the database cannot be reached now": the API
    answers them 503 with Retry-After (a failover under way), never 500."""
    if database_url.startswith("sqlite:///"):
        return ()  # a local file: nothing to fail over
    from croupier.adapters.storage.postgres.availability import POSTGRES_UNAVAILABLE

    return POSTGRES_UNAVAILABLE


def make_data_key_store(database_url: str) -> DataKeyStore:
    """The vault's ``data_keys`` table for a database URL (same database as the ledger)."""
    if database_url.startswith("sqlite:///"):
        from croupier.adapters.storage.sqlite.data_keys import SqliteDataKeyStore

        return SqliteDataKeyStore(database_url.removeprefix("sqlite:///"))
    from croupier.adapters.storage.postgres.data_keys import PostgresDataKeyStore

    return PostgresDataKeyStore(database_url)


async def open_vault(settings: Settings) -> Vault:
    """The vault on the configured KEK (``ConfigError`` without one on PostgreSQL) and the
    database's data keys. Open the ledger first: its writer migrates ``data_keys``."""
    vault = Vault(load_kek(settings).key, make_data_key_store(settings.database_url))
    await vault.open()
    return vault


def make_player_store(database_url: str, vault: Vault) -> PlayerStore:
    """The player store for a database URL; ``vault`` seals the personal data."""
    if database_url.startswith("sqlite:///"):
        from croupier.adapters.storage.sqlite import SqlitePlayerStore

        return SqlitePlayerStore(database_url.removeprefix("sqlite:///"), vault)
    from croupier.adapters.storage.postgres import PostgresPlayerStore

    return PostgresPlayerStore(database_url, vault)


def make_staff_store(database_url: str, vault: Vault) -> StaffStore:
    """The staff store for a database URL (same database as the ledger); ``vault`` seals the
    TOTP secrets."""
    if database_url.startswith("sqlite:///"):
        from croupier.adapters.storage.sqlite.staff import SqliteStaffStore

        return SqliteStaffStore(database_url.removeprefix("sqlite:///"), vault)
    from croupier.adapters.storage.postgres.staff import PostgresStaffStore

    return PostgresStaffStore(database_url, vault)


def make_staff_service(
    store: StaffStore, hasher: PasswordHasher, limiter: LoginLimiter, audit: AuditTrail
) -> StaffService:
    """The staff service on its store, with the players' hasher and login limiter."""
    return StaffService(
        store,
        hasher=hasher,
        limiter=limiter,
        audit=audit,
        clock=lambda: datetime.now(UTC),
        common_passwords=load_common_passwords(),
    )


def make_backoffice_store(database_url: str) -> BackofficeStore:
    """The back office's store (same database as the ledger, which migrates it)."""
    if database_url.startswith("sqlite:///"):
        from croupier.adapters.storage.sqlite.backoffice import SqliteBackofficeStore

        return SqliteBackofficeStore(database_url.removeprefix("sqlite:///"))
    from croupier.adapters.storage.postgres.backoffice import PostgresBackofficeStore

    return PostgresBackofficeStore(database_url)


def make_backoffice(
    settings: Settings,
    store: BackofficeStore,
    players: PlayerStore,
    ledger: Ledger,
    wallet: WalletService,
    rounds: RoundService,
    audit: AuditTrail,
    accounts: AccountService,
) -> Backoffice:
    """The back-office services on one store; the play gate and the review rule are put on
    the wallet and the rounds (the one place each is checked). A freeze or a closure ends
    the player's sessions through the players' own revocation (store, push, audit)."""

    def clock_ms() -> int:
        return time.time_ns() // 1_000_000

    async def revoke_sessions(
        player: Player, reason: str, actor: str, source_ip: str | None
    ) -> None:
        await accounts.sessions.revoke(player, None, reason=reason, ip=source_ip, actor=actor)

    limits = settings.backoffice
    gate = PlayGate(store)
    control = AccountControl(
        store, players, audit, clock_ms=clock_ms, revoke_sessions=revoke_sessions
    )
    reviews = WithdrawalReviews(store, players, ledger, wallet, audit, limits, clock_ms=clock_ms)
    wallet.gate, wallet.hold, rounds.gate = gate, reviews, gate
    return Backoffice(
        store=store,
        players=PlayerDirectory(players, control, ledger, rounds, audit, limits, settings.wallet),
        adjustments=AdjustmentService(store, players, ledger, audit, limits, clock_ms=clock_ms),
        withdrawals=reviews,
        accounts=control,
        rounds=RoundControl(rounds, audit, clock_ms=clock_ms),
        jackpots=JackpotControl(ledger, rounds.jackpots, audit),
        games=GameSwitches(store, audit, game_ids=rounds.game_ids, clock_ms=clock_ms),
        gate=gate,
    )


def make_responsible_store(database_url: str) -> ResponsibleStore:
    """The responsible-gambling store (same database as the ledger, which migrates it)."""
    if database_url.startswith("sqlite:///"):
        from croupier.adapters.storage.sqlite.responsible import SqliteResponsibleStore

        return SqliteResponsibleStore(database_url.removeprefix("sqlite:///"))
    from croupier.adapters.storage.postgres.responsible import PostgresResponsibleStore

    return PostgresResponsibleStore(database_url)


async def open_responsible(
    settings: Settings,
    ledger: LedgerClient,
    players: PlayerStore,
    accounts: AccountService | None,
    audit: AuditTrail,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ResponsibleGambling:
    """Responsible gambling on its opened store: the profiles and licences of the settings,
    the home region's profile for players whose country no licence names, the sandbox
    national register, and every session of a player ended through the session guard.
    Without ``accounts`` (``croupier writer``: no sessions there) it answers the limits
    only: the payments poller's deposit-limit take-backs."""
    from croupier.adapters.self_exclusion_register import SandboxSelfExclusionRegister
    from croupier.services.compliance import load_jurisdictions

    profiles = load_jurisdictions(settings.compliance)
    home = profiles.for_player(*settings.compliance.geo_home)
    default = home if home is not None else next(iter(profiles.profiles.values()))
    store = make_responsible_store(settings.database_url)
    await store.open()

    async def revoke(player: Player, reason: str, ip: str | None) -> None:
        assert accounts is not None  # only given where there are accounts
        await accounts.sessions.revoke(player, None, reason=reason, ip=ip)

    return ResponsibleGambling(
        store,
        ledger,
        profiles,
        default_profile=default,
        audit=audit,
        clock=clock,
        players=players.get_player,
        register=SandboxSelfExclusionRegister(),
        revoke=None if accounts is None else revoke,
    )


def wire_responsible(
    responsible: ResponsibleGambling,
    accounts: AccountService,
    wallet: WalletService,
    rounds: RoundService,
    gate: PlayGate,
) -> None:
    """Put responsible gambling where it is enforced: logins and registration, the play
    gate (exclusions, session time, reality checks), the deposit and round writes (limits)."""
    accounts.admission = responsible
    gate.responsible = responsible
    wallet.deposit_limits = responsible
    wallet.payments.book.deposit_limits = responsible
    rounds.responsible = responsible


def make_seed_pair_store(database_url: str, vault: Vault) -> SeedPairStore:
    """The seed-pair store for a database URL (same database as the ledger); ``vault``
    seals the active server seeds."""
    if database_url.startswith("sqlite:///"):
        from croupier.adapters.storage.sqlite import SqliteSeedPairStore

        return SqliteSeedPairStore(database_url.removeprefix("sqlite:///"), vault)
    from croupier.adapters.storage.postgres import PostgresSeedPairStore

    return PostgresSeedPairStore(database_url, vault)


def make_audit_store(database_url: str) -> AuditStore:
    """The audit store for a database URL (same database as the ledger, which migrates it).
    Gateways append to PostgreSQL directly: the audit trail is not money."""
    if database_url.startswith("sqlite:///"):
        from croupier.adapters.storage.sqlite import SqliteAuditStore

        return SqliteAuditStore(database_url.removeprefix("sqlite:///"))
    from croupier.adapters.storage.postgres import PostgresAuditStore

    return PostgresAuditStore(database_url)


def make_report_store(database_url: str) -> ReportStore:
    """The back office's report store for a database URL (same database as the ledger)."""
    if database_url.startswith("sqlite:///"):
        from croupier.adapters.storage.sqlite.reports import SqliteReportStore

        return SqliteReportStore(database_url.removeprefix("sqlite:///"))
    from croupier.adapters.storage.postgres.reports import PostgresReportStore

    return PostgresReportStore(database_url)


async def open_reports(database_url: str, catalogue: GameCatalogue) -> ReportService:
    """The report service on an open report store (a reader: it never blocks the writer);
    close it with ``service.store.close()``. The admin API and ``croupier report`` both use
    it. Open the ledger first: its writer migrates the tables the reports read."""
    store = make_report_store(database_url)
    await store.open()
    return ReportService(store, catalogue)


async def _stand_idle_rounds(rounds: RoundService, idle_timeout_s: int) -> None:
    """Every so often, stand the blackjack rounds their players have left."""
    log = logging.getLogger("croupier.rounds")
    while True:
        await asyncio.sleep(max(1.0, min(60.0, idle_timeout_s / 2)))
        try:
            finished = await rounds.stand_idle_rounds(
                now_ms=time.time_ns() // 1_000_000, idle_ms=idle_timeout_s * 1000
            )
            if finished:
                log.info("stood %d idle blackjack rounds", finished)
        except CroupierError:  # e.g. the player acted at the same moment: next time
            log.warning("standing idle blackjack rounds failed", exc_info=True)


#: How each instant kind is built from its game file.
_INSTANT_KINDS: dict[str, Callable[[Mapping[str, Any]], InstantGame]] = {
    "slots": lambda data: SlotKind(SlotGame.from_data(data)),
    "roulette": RouletteKind.from_data,
}


def instant_games(definitions: Mapping[str, Mapping[str, Any]]) -> dict[str, InstantGame]:
    """The registry of instant games: every slot and roulette among the definitions, each
    refused at start if it lists a currency this process does not know."""
    games = {}
    for game_id, data in definitions.items():
        make = _INSTANT_KINDS.get(str(data.get("kind")))
        if make is None:
            continue
        try:
            game = make(data)
            game.limits.require_known()
        except GameDefinitionError as error:
            raise GameDefinitionError(f"game {game_id}: {error}") from None
        games[game_id] = game
    return games


#: How each table kind is built from its game file (poker tables are not played here yet).
_TABLE_KINDS: dict[str, Callable[[Mapping[str, Any]], TableGame[Any]]] = {
    "blackjack": BlackjackKind.from_data,
}


def table_games(definitions: Mapping[str, Mapping[str, Any]]) -> dict[str, TableGame[Any]]:
    """The registry of table games: every blackjack table among the definitions."""
    games = {}
    for game_id, data in definitions.items():
        make = _TABLE_KINDS.get(str(data.get("kind")))
        if make is not None:
            games[game_id] = make(data)
    return games


async def open_remote_ledger(settings: Settings) -> RemoteLedger:
    """A gateway's ledger: reads from the database (read-only), writes over NATS to the
    active ``croupier writer`` (docs/operations.md)."""
    stream_url = settings.realtime.stream_url
    if not settings.database_url.startswith(("postgresql://", "postgres://")):
        raise ConfigError("a gateway needs PostgreSQL: SQLite is served by one process")
    if not stream_url.startswith(("nats://", "tls://")):
        raise ConfigError("a gateway needs CROUPIER_STREAM_URL=nats://… to reach the writer")
    secret = require_ledger_secret(settings)
    store = make_store(settings.database_url)
    await store.open(writer=False)
    submitter = RemoteSubmitter(
        nats_servers(stream_url),
        submit_subject(stream_url),
        secret=secret,
        deadline_s=settings.cluster.ledger_deadline_ms / 1000,
    )
    try:
        await submitter.start()
    except BaseException:
        await store.close()
        raise
    return RemoteLedger(store, submitter)


async def _open_gateway_stream(
    settings: Settings, ledger: Ledger
) -> tuple[EventStream, None, JackpotTicker]:
    """A gateway follows the stream the writer's relay fills; its ticker only reads the
    pools' values for new subscribers (the writer's ticker sends the changes)."""
    stream = make_stream(settings.realtime.stream_url, ledger, settings.realtime.stream_replicas)
    await stream.start()
    ticker = JackpotTicker(ledger, stream, interval_s=settings.realtime.jackpot_tick_ms / 1000)
    try:
        await ticker.load()
    except BaseException:
        await stream.close()
        raise
    return stream, None, ticker


async def _recover_when_possible(rounds: RoundService) -> None:
    """A gateway may start before any writer is active: recover when one answers. Several
    gateways recovering the same round at once are safe: the same ids, so a replay."""
    log = logging.getLogger("croupier.rounds")
    while True:
        try:
            finished = await rounds.recover()
        except LedgerUnavailable:
            await asyncio.sleep(1.0)
            continue
        except Exception:  # said once; the next start (or the writer's rounds) tries again
            log.exception("recovering interrupted rounds failed")
            return
        if finished:
            log.info("recovered %d interrupted rounds", finished)
        return


# The composition root names every adapter in the order they open; split, it would hide it.
async def open_platform(  # noqa: PLR0915
    settings: Settings, *, role: str = "all-in-one"
) -> Platform:
    """The composition root of a server: every adapter chosen here, from settings.

    ``role="gateway"``: stateless HTTP and WebSocket, the ledger reached over NATS (see
    :func:`open_remote_ledger`); the all-in-one server writes the ledger itself."""
    from croupier.adapters.passwords import Argon2PasswordHasher

    if role not in ("all-in-one", "gateway"):
        raise ConfigError(f"unknown role {role!r}: all-in-one or gateway")
    gateway = role == "gateway"
    load_kek(settings)  # no key-encryption key on PostgreSQL: refused before anything opens
    load_card_kek(settings)  # nor without the cards' own
    games = GameFiles.shipped(overlay=settings.games_dir)
    catalogue = GameCatalogue.load(games)  # the certified figures
    definitions = {game_id: games.load(game_id) for game_id in games.game_ids()}
    # The writer applies every migration, the players' too (a gateway's writer: its own).
    ledger = await (open_remote_ledger(settings) if gateway else open_ledger(settings))
    try:
        vault = await open_vault(settings)
    except BaseException:
        await ledger.close()
        raise
    players = make_player_store(settings.database_url, vault)
    seed_pairs = make_seed_pair_store(settings.database_url, vault)
    audit = AuditLog(make_audit_store(settings.database_url))
    staff_store = make_staff_store(settings.database_url, vault)
    backoffice_store = make_backoffice_store(settings.database_url)
    handlers = EventHandlers()  # consumers of committed events register here
    shared = make_shared_state(settings)  # connects on first use
    reports = ReportService(make_report_store(settings.database_url), catalogue)
    security_closers: list[AsyncCloser] = []
    try:
        await players.open()
        await seed_pairs.open()
        await audit.open()
        # The trail says when each process started recording (PCI DSS 10.2.1.6), and the
        # server's log shows its first security line.
        await audit.record(AuditEntry("system", "server.started", after={"role": role}))
        await staff_store.open()
        await reports.store.open()
        # Player account security: its tables, mailer and revocation bus.
        security, security_closers = await open_security(settings, vault)
        await backoffice_store.open()
        stream, relay, ticker = await (
            _open_gateway_stream(settings, ledger)
            if gateway
            else open_stream(settings, ledger, handlers, shared.jackpot_display)
        )
    except BaseException:  # closing a store that never opened is a no-op
        for aclose in (*security_closers, audit.close, staff_store.close, reports.store.close):
            await aclose()
        await backoffice_store.close()
        await seed_pairs.close()
        await players.close()
        await ledger.close()
        for close in shared.closers:
            await close()
        raise
    hasher = Argon2PasswordHasher()
    accounts = AccountService(
        players,
        ledger,
        limiter=shared.limiter,
        clock=lambda: datetime.now(UTC),
        limits=settings.accounts,
        hasher=hasher,
        common_passwords=load_common_passwords(),
        context_words=settings.password_context_words,
        audit=audit,
        security=security,
    )
    # Payments: its poller runs where the ledger writer runs (not in a gateway).
    payments = await open_payments(settings, ledger, players.get_player, poller=not gateway)
    wallet = WalletService(ledger, payments.service, settings.wallet)
    fairness = FairnessService(seed_pairs, ledger, clock_ms=lambda: time.time_ns() // 1_000_000)
    rounds = RoundService(
        ledger,
        fairness,
        instant_games(definitions),
        settings.rounds,
        replay_source=ProvablyFairSource,
        tables=table_games(definitions),
    )
    backoffice = make_backoffice(
        settings, backoffice_store, players, ledger, wallet, rounds, audit, accounts
    )
    compliance = build_compliance_gate(
        settings.compliance,
        definitions,
        catalogue,
        clock=lambda: datetime.now(UTC),
        pacer=shared.spin_pacer,
        audit=audit,
    )
    rounds.compliance = compliance
    try:
        responsible = await open_responsible(settings, ledger, players, accounts, audit)
    except BaseException:
        await backoffice_store.close()
        raise
    wire_responsible(responsible, accounts, wallet, rounds, backoffice.gate)
    # KYC on the play gate; the AML engine on the writer's handler table (not in a gateway).
    kyc_aml = await open_kyc_aml(
        settings, players=players, ledger=ledger, vault=vault, audit=audit,
        handlers=None if gateway else handlers,
    )  # fmt: skip
    attach(kyc_aml, backoffice, wallet)
    cards = await open_card_vault(settings, audit=audit)
    payments.service.instruments = cards  # deposits and payouts name cards by token
    backoffice.players.compliance = ComplianceView(
        responsible, kyc_aml.check, kyc_aml.store, clock=lambda: datetime.now(UTC)
    )
    # Leaderboards and tournaments: fed by the writer's handler table (a gateway only reads).
    engagement = await open_engagement(
        settings, ledger=ledger, stream=stream, gate=backoffice.gate,
        handlers=None if gateway else handlers,
    )  # fmt: skip
    # Recommendations and segments: the tally on the writer's handler table (issue 18).
    personalisation = await open_personalisation(
        settings, handlers=None if gateway else handlers, players=players,
        responsible=responsible, backoffice=backoffice_store, catalogue=catalogue,
        playable=rounds.game_ids, compliance=compliance,
    )  # fmt: skip
    # Bonuses: rounds and withdrawals hooked; deposit matches and the sweep in the writer.
    bonus = open_bonus(
        settings, ledger=ledger, rounds=rounds, wallet=wallet,
        segments=personalisation.segments, compliance=compliance, players=players.get_player,
        handlers=None if gateway else handlers,
    )  # fmt: skip
    tasks = []
    if gateway:
        tasks.append(asyncio.create_task(_recover_when_possible(rounds)))
    else:
        # Rounds a crash interrupted are finished from their recorded seeds before traffic;
        # so are adjustments a crash left approved but unposted.
        await rounds.recover()
        await backoffice.adjustments.recover()
    poker = None if gateway else await open_poker(settings, ledger, vault, definitions)
    if settings.blackjack_idle_timeout_s:
        tasks.append(
            asyncio.create_task(_stand_idle_rounds(rounds, settings.blackjack_idle_timeout_s))
        )
    return Platform(
        settings,
        ledger,
        players,
        accounts,
        wallet,
        seed_pairs=seed_pairs,
        fairness=fairness,
        catalogue=catalogue,
        rounds=rounds,
        stream=stream,
        ticker=ticker,
        relay=relay,
        handlers=handlers,
        audit=audit,
        backoffice=backoffice,
        responsible=responsible,
        kyc_aml=kyc_aml,
        cards=cards,
        poker=poker,
        payments=payments,
        engagement=engagement,
        personalisation=personalisation,
        bonus=bonus,
        closers=[hasher.close],
        staff=make_staff_service(staff_store, hasher, shared.limiter, audit),
        player_connections=shared.player_connections,
        jackpot_display=shared.jackpot_display,
        async_closers=[
            bonus.close,
            cards.store.close,
            personalisation.close,
            staff_store.close,
            reports.store.close,
            accounts.close,
            *security_closers,
            *shared.closers,
        ],
        tasks=tasks,
        vault=vault,
        reports=reports,
        compliance=compliance,
    )
