"""``croupier writer``: the ledger writer of one PostgreSQL database, active or standby.

A standby polls the lease (``adapters/storage/postgres/lease.py``) until it runs out, takes
it with a new epoch, and only then opens the ledger: it reads the committed state after
its take-over committed, so it sees every batch the previous holder committed, and nothing
that holder tries later can commit (the epoch is checked inside every commit). Active, it
runs the group-commit writer, the outbox relay to NATS, the jackpot ticker, and answers
ledger requests over NATS (``adapters/ledger_rpc``); it renews the lease every third of its
term. It stops, with exit status 3 and without answering anything more, when it finds its
lease taken by another writer (a renewal matches no row, or a commit is refused as
``WriterFenced``). When a renewal has not succeeded for a whole term (the database went
away: a PostgreSQL failover) or its writer stopped while no other writer took the lease, it
drops that epoch and stands by again, to take the lease with a new epoch from the new
primary (the chaos run found a cluster left without a writer by a failover otherwise).
On SIGTERM it stops taking requests, finishes what it holds, and releases the lease so a
standby takes over at once (exit 0).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import asyncpg

from croupier.adapters.ledger_rpc import LedgerResponder, nats_servers, submit_subject
from croupier.adapters.ledger_rpc.server import connect
from croupier.adapters.storage.postgres import PostgresLedgerStore
from croupier.adapters.storage.postgres.lease import WriterLease, application_name, new_holder_id
from croupier.adapters.vault import load_kek
from croupier.bonus_wiring import open_writer_bonus
from croupier.bootstrap import SharedState, make_shared_state, open_stream
from croupier.config import Settings, require_ledger_secret
from croupier.domain.errors import WriterLocked
from croupier.engagement_wiring import open_writer_leaderboards
from croupier.kyc_aml_wiring import open_writer_aml
from croupier.payments_wiring import open_writer_payments
from croupier.personalisation_wiring import open_writer_tally
from croupier.roles.health import HealthPort
from croupier.services.handlers import EventHandlers
from croupier.services.jackpots import JackpotTicker
from croupier.services.ledger import Ledger, LedgerWriter
from croupier.services.stream import EventStream, OutboxRelay

__all__ = ["EXIT_FENCED", "run_writer"]

#: The exit status of a writer that lost its lease or its writer: not a clean stop.
EXIT_FENCED = 3
_log = logging.getLogger("croupier.writer")
#: What :func:`_hold` returns when the lease lapsed with no other writer on it: stand by.
_LAPSED = None


def say(line: str) -> None:
    """A role change, on stderr, for people and for ``croupier cluster``."""
    print(line, file=sys.stderr, flush=True)


@dataclass
class _Active:
    epoch: int
    ledger: Ledger
    stream: EventStream
    relay: OutboxRelay
    ticker: JackpotTicker
    responder: LedgerResponder
    shared: SharedState
    #: Stops the AML rules engine (it runs on this writer's handler table).
    aml_close: Callable[[], Awaitable[None]] | None = None
    #: Stops the payments poller (one per ledger: the active writer's).
    payments_close: Callable[[], Awaitable[None]] | None = None
    #: Stops the engagement tally (its counts: recommendations and segments, issue 18).
    engagement_close: Callable[[], Awaitable[None]] | None = None
    #: Stops the leaderboards and tournaments (they count on this handler table, issue 18).
    leaderboards_close: Callable[[], Awaitable[None]] | None = None
    #: Stops the bonus engine's deposit matches, sweep and cashback (docs/bonuses.md).
    bonus_close: Callable[[], Awaitable[None]] | None = None


async def run_writer(settings: Settings, *, health_host: str, health_port: int | None) -> int:
    # The payments poller reads players (their deposit limits): no KEK is refused here,
    # before the lease, not once active.
    load_kek(settings)
    holder = new_holder_id()
    ttl_s = settings.cluster.writer_lease_ms / 1000
    lease = WriterLease(settings.database_url, holder=holder, ttl_s=ttl_s)
    await lease.open()
    active: _Active | None = None

    async def ready() -> tuple[bool, dict[str, object]]:
        if active is None or active.ledger.writer is None or not active.ledger.writer.alive:
            return False, {"role": "standby"}
        try:
            await asyncio.wait_for(active.ledger.head(), ttl_s)
        except Exception as error:
            return False, {"role": "active", "problem": type(error).__name__}
        return True, {"role": "active", "epoch": active.epoch}

    health = HealthPort(health_host, health_port, ready) if health_port else None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        if health is not None:
            await health.start()
        # NATS is needed once active: find out now that it is unreachable, not then.
        await (await connect(nats_servers(settings.realtime.stream_url), "croupier-probe")).close()
        while True:
            say(f"writer standby holder={holder}")
            epoch = await _wait_for_lease(lease, stop, poll_s=ttl_s / 6)
            if epoch is None:
                return 0
            async with renewed_meanwhile(lease, epoch):
                active = await _activate(settings, epoch, holder, lease)
            say(f"writer active epoch={epoch} holder={holder}")
            outcome = await _hold(lease, active, stop, ttl_s)
            if outcome is not _LAPSED:
                return outcome
            # The database went away (a failover) and no other writer holds the lease: stand
            # by again, and take it with a new epoch once the new primary answers. Whatever
            # this epoch still holds can never commit (every commit checks the epoch).
            lapsed, active = active, None
            await _deactivate(lapsed)
    finally:
        if active is not None:
            await _deactivate(active)
        if health is not None:
            await health.close()
        await lease.close()


async def _wait_for_lease(lease: WriterLease, stop: asyncio.Event, *, poll_s: float) -> int | None:
    while not stop.is_set():
        try:
            epoch = await lease.try_take()
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            # the database is away, starting up or read-only (a failover under way): wait
            _log.warning("reading the writer lease failed: %s", error)
            epoch = None
        if epoch is not None:
            return epoch
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), poll_s)
    return None


@contextlib.asynccontextmanager
async def renewed_meanwhile(lease: WriterLease, epoch: int) -> AsyncIterator[None]:
    """Keep renewing the lease while the body runs. Becoming active (waiting out the old
    holder's lock, migrating, opening the stream) can take longer than a lease term: without
    this a standby would take the lease meanwhile and the new writer would flap. Whether the
    lease is still ours is decided after, by :func:`_hold`'s first renewal."""

    async def keep() -> None:
        while True:
            await asyncio.sleep(lease.ttl_s / 3)
            try:
                await lease.renew(epoch)
            except Exception as error:  # a database away: _hold decides what it means
                _log.warning("renewing the writer lease while starting failed: %s", error)

    keeper = asyncio.create_task(keep())
    try:
        yield
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper


async def _activate(settings: Settings, epoch: int, holder: str, lease: WriterLease) -> _Active:
    ttl_s = lease.ttl_s
    store = PostgresLedgerStore(
        settings.database_url, fence_epoch=epoch, application_name=application_name(holder)
    )
    # The previous holder's sessions were ended by the take-over; its advisory lock goes
    # with them, a moment later.
    deadline = time.monotonic() + 3 * ttl_s
    while True:
        try:
            await store.open(writer=True)
            break
        except WriterLocked:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(ttl_s / 10)
    writer = LedgerWriter(store, limits=settings.ledger)
    ledger = Ledger(store, writer)
    # With CROUPIER_STATE_URL on Redis, the ticker keeps the newest jackpot values there
    # for gateways that join later: the writer's ticker is the one that sees the commits.
    shared = make_shared_state(settings)
    try:
        await writer.start()
        handlers = EventHandlers()
        stream, relay, ticker = await open_stream(
            settings, ledger, handlers, shared.jackpot_display
        )
    except BaseException:
        await ledger.close()
        for close in shared.closers:
            await close()
        raise
    responder = LedgerResponder(
        nats_servers(settings.realtime.stream_url),
        submit_subject(settings.realtime.stream_url),
        writer.submit,
        lambda: writer.alive and lease.fresh(),
        secret=require_ledger_secret(settings),
    )
    try:
        await responder.start()
    except BaseException:
        await relay.close()
        await ticker.close()
        await stream.close()
        await ledger.close()
        for close in shared.closers:
            await close()
        raise
    active = _Active(epoch, ledger, stream, relay, ticker, responder, shared)
    try:
        active.aml_close = await open_writer_aml(settings, ledger, handlers)
        active.payments_close = (await open_writer_payments(settings, ledger)).close
        active.engagement_close = await open_writer_tally(settings, handlers)
        active.leaderboards_close = await open_writer_leaderboards(
            settings, ledger, stream, handlers
        )
        active.bonus_close = await open_writer_bonus(settings, ledger, handlers)
    except BaseException:
        await _deactivate(active)
        raise
    return active


async def _hold(
    lease: WriterLease, active: _Active, stop: asyncio.Event, ttl_s: float
) -> int | None:
    """Renew until told to stop (0), until another writer took the lease (3), or until the
    lease lapsed or the writer failed while no other writer took over (:data:`_LAPSED`)."""
    writer = active.ledger.writer
    assert writer is not None
    renewed_at = time.monotonic()
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), ttl_s / 3)
        if not writer.alive:
            say(f"writer stopped epoch={active.epoch}: its writer failed (fenced or lost)")
            return EXIT_FENCED if await _taken(lease, active.epoch) else _LAPSED
        try:
            if not await lease.renew(active.epoch):
                say(f"writer fenced epoch={active.epoch}: another writer took the lease")
                return EXIT_FENCED
            renewed_at = time.monotonic()
        except Exception as error:
            _log.warning("renewing the writer lease failed: %s", error)
            if time.monotonic() - renewed_at >= ttl_s:
                say(f"writer fenced epoch={active.epoch}: no renewal for a whole lease term")
                return _LAPSED
    await active.responder.close()  # no new requests; those in hand are answered
    await writer.stop()
    with contextlib.suppress(Exception):
        await lease.release(active.epoch)
    say(f"writer stopped epoch={active.epoch}: lease released")
    return 0


async def _taken(lease: WriterLease, epoch: int) -> bool:
    """Whether another writer holds the lease now (its epoch moved on). When the database
    cannot say, or the lease is still ours, it is let go: this process stands by again."""
    try:
        if not await lease.renew(epoch):
            return True
        await lease.release(epoch)
    except Exception as error:
        _log.warning("after the writer failed, the lease could not be read: %s", error)
    return False


async def _deactivate(active: _Active) -> None:
    with contextlib.suppress(Exception):
        await active.responder.close()
    if active.aml_close is not None:
        with contextlib.suppress(Exception):
            await active.aml_close()
    if active.payments_close is not None:
        with contextlib.suppress(Exception):
            await active.payments_close()
    if active.engagement_close is not None:
        with contextlib.suppress(Exception):
            await active.engagement_close()
    if active.leaderboards_close is not None:
        with contextlib.suppress(Exception):
            await active.leaderboards_close()
    if active.bonus_close is not None:
        with contextlib.suppress(Exception):
            await active.bonus_close()
    await active.relay.close()
    await active.ticker.close()
    await active.stream.close()
    await active.ledger.close()
    for close in active.shared.closers:
        with contextlib.suppress(Exception):
            await close()
