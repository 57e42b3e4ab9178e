"""The ``EventStream`` contract, run against every adapter: the embedded one, over a real SQLite
ledger, and NATS JetStream (skipped when NATS is unreachable, a failure when
``CROUPIER_REQUIRE_SERVICES=1``). Events are committed through the ledger and published by a
real :class:`OutboxRelay`, registered with the writer before it starts, as the server does.

Each NATS test has a JetStream stream and a subject prefix of its own, deleted afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import logging
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from croupier.adapters.stream import nats as nats_adapter
from croupier.adapters.stream.inprocess import InProcessStream
from croupier.adapters.stream.nats import JetStreamStream
from croupier.domain.ledger import AppendEvent, Event
from croupier.services.ledger import Ledger
from croupier.services.stream import (
    BatchMark,
    EventStream,
    OutboxRelay,
    StreamEvent,
    StreamTail,
    family_of,
)
from tests.conftest import service_unavailable
from tests.support.ledger import open_test_ledger
from tests.support.nats import STEP_TIMEOUT_S, teardown_steps

NATS_URL = os.environ.get("CROUPIER_TEST_NATS_URL", "nats://127.0.0.1:4222")
WAIT_S = 30.0  # a budget for a condition to hold, not a delay: most hold in milliseconds
GROUP_EVENTS_MAX = 64  # the ledger's bound on a linked group


@dataclass
class Rig:
    """A ledger, the adapter under test over it, and the relays started between them."""

    ledger: Ledger
    stream: EventStream
    admin: Any = None  # NATS only: a connection of the test's own
    stream_name: str = ""
    subject_prefix: str = ""
    relays: list[OutboxRelay] = field(default_factory=list)
    _numbers: itertools.count[int] = field(default_factory=itertools.count)

    async def start_relay(
        self, stream: EventStream | Failing | None = None, **options: int
    ) -> OutboxRelay:
        """A relay, told of every commit from now on, then started (the server's order)."""
        relay = OutboxRelay(self.ledger.store, stream or self.stream, retry_s=0.02, **options)
        assert self.ledger.writer is not None
        self.ledger.writer.on_commit(relay.on_commit)
        await relay.start()
        self.relays.append(relay)
        return relay

    async def commit(self, appends: dict[str, int]) -> None:
        """Append to each stream that many events, all submitted at once so that the writer
        commits them together (batches of several events over several streams)."""
        groups = []
        for stream, count in appends.items():
            events = [
                AppendEvent.create(stream, "test.event", {"n": next(self._numbers), "s": stream})
                for _ in range(count)
            ]
            groups += [events[i : i + GROUP_EVENTS_MAX] for i in range(0, count, GROUP_EVENTS_MAX)]
        await asyncio.gather(*(self.ledger.submit(group) for group in groups))

    async def outbox(self) -> list[Event]:
        """Every committed event, in commit order: the truth."""
        head, _ = await self.ledger.store.head()
        return await self.ledger.store.events_in_batches(1, head) if head else []

    async def expected(self, family: str) -> list[StreamEvent]:
        return [StreamEvent.of(e) for e in await self.outbox() if family_of(e.stream) == family]

    async def stored(self, stream: str) -> list[StreamEvent]:
        """The stream's committed events, from the ledger itself."""
        found = await self.ledger.store.stream_events(stream, after_seq=0, limit=100_000)
        return [StreamEvent.of(e) for e in found]

    @property
    def jetstream(self) -> Any:
        return None if self.admin is None else self.admin.jsm(timeout=STEP_TIMEOUT_S)

    async def jetstream_messages(self) -> int:
        info = await self.jetstream.stream_info(self.stream_name)
        return int(info.state.messages)


class Collector:
    """A subscriber that keeps what it is handed."""

    def __init__(self) -> None:
        self.received: list[StreamEvent] = []

    def __call__(self, event: StreamEvent) -> None:
        self.received.append(event)

    def unique(self) -> list[StreamEvent]:
        """What a client sees after dropping the seqs it has already seen."""
        seen: set[tuple[str, int]] = set()
        unique = []
        for event in self.received:
            if (event.stream, event.seq) not in seen:
                seen.add((event.stream, event.seq))
                unique.append(event)
        return unique


class Failing:
    """The adapter under test behind a switch: while ``broken``, ``publish`` fails as an
    unreachable stream would, before anything reaches the adapter."""

    def __init__(self, inner: EventStream) -> None:
        self.inner = inner
        self.broken = True
        self.failures = 0

    async def relayed_through(self) -> int | None:
        return await self.inner.relayed_through()

    async def newest(self) -> StreamTail | None:
        return await self.inner.newest()

    async def publish(
        self,
        events: Sequence[tuple[int, StreamEvent]],
        marks: Mapping[int, BatchMark] | None = None,
    ) -> None:
        if self.broken:
            self.failures += 1
            raise ConnectionError("the event stream is unreachable (injected)")
        await self.inner.publish(events, marks)


async def settle(check: Callable[[], bool | Awaitable[bool]]) -> None:
    """Wait until ``check()`` holds, for at most ``WAIT_S``; the assertion after it says why
    not."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        outcome = check()
        if await outcome if isinstance(outcome, Awaitable) else outcome:
            return
        await asyncio.sleep(0.01)


def stored_everything(rig: Rig, streams: Sequence[str]) -> Callable[[], Awaitable[bool]]:
    """A check: the adapter's ``read`` of each stream returns all of its committed events."""

    async def check() -> bool:
        for stream in streams:
            if await rig.stream.read(stream, after_seq=0, limit=100_000) != await rig.stored(
                stream
            ):
                return False
        return True

    return check


async def _jetstream_admin() -> Any:
    import nats

    async def quiet(_error: Exception) -> None:
        pass

    try:
        client = await nats.connect(  # one retry, then NoServersError: fails in ~0.1 s
            NATS_URL,
            connect_timeout=STEP_TIMEOUT_S,  # refused at once when down; time when slow
            max_reconnect_attempts=1,
            reconnect_time_wait=0.1,
            error_cb=quiet,
        )
    except Exception as error:
        service_unavailable(f"NATS unreachable at {NATS_URL}: {error}")
    try:
        await asyncio.wait_for(client.jsm().account_info(), STEP_TIMEOUT_S)
    except Exception as error:
        await client.close()
        service_unavailable(f"NATS at {NATS_URL} has no JetStream: {error}")
    return client


@contextlib.asynccontextmanager
async def open_rig(kind: str, directory: Path) -> AsyncIterator[Rig]:
    admin = await _jetstream_admin() if kind == "nats" else None
    ledger = await open_test_ledger(f"sqlite:///{directory}/ledger.db")
    rig = Rig(ledger, InProcessStream(ledger.store))
    if admin is not None:
        token = secrets.token_hex(4)
        rig.stream_name, rig.subject_prefix = f"CROUPIER_T_{token.upper()}", f"croupier-t-{token}"
        rig.stream = JetStreamStream(
            NATS_URL, stream_name=rig.stream_name, subject_prefix=rig.subject_prefix
        )
        rig.admin = admin
    try:
        await rig.stream.start()
        yield rig
    finally:
        steps: list[Awaitable[object]] = [relay.close() for relay in rig.relays]
        steps += [rig.stream.close(), ledger.close()]
        if admin is not None:
            from nats.js.errors import NotFoundError

            async def delete() -> None:
                with contextlib.suppress(NotFoundError):
                    await rig.jetstream.delete_stream(rig.stream_name)

            steps += [delete(), admin.close()]
        await teardown_steps(*steps)


@pytest.fixture(params=["inprocess", "nats"])
async def rig(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Rig]:
    async with open_rig(request.param, tmp_path) as opened:
        yield opened


@pytest.fixture
async def nats_rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with open_rig("nats", tmp_path) as opened:
        yield opened


# -- the contract, on every adapter -----------------------------------------------------------
async def test_committed_events_arrive_live_in_commit_order(rig: Rig) -> None:
    players, lobby = Collector(), Collector()
    rig.stream.subscribe("player", players)
    rig.stream.subscribe("lobby", lobby)
    await rig.start_relay()
    for _ in range(5):
        await rig.commit({"player:a.b@c": 3, "player:x:y/z": 2, "lobby:main": 1, "round:r.1": 2})
    expected = await rig.expected("player")
    assert len(expected) == 25
    outbox = await rig.outbox()
    assert len({e.batch_seq for e in outbox}) < len(outbox)  # batches of several events
    await settle(lambda: len(players.received) >= len(expected))
    assert players.received == expected  # in commit order, once each: nothing failed
    await settle(lambda: len(lobby.received) >= 5)
    assert lobby.received == await rig.expected("lobby")


async def test_read_returns_exactly_the_stored_events_after_a_seq(rig: Rig) -> None:
    await rig.start_relay()
    for i in range(30):
        await rig.commit({"player:long.one": 20, "player:other": 1 + i % 3, "lobby:main": 1})
        if i in (0, 1, 27):  # written in bursts: a skewed density for the search
            await rig.commit({"player:bursty": 150 if i < 27 else 3})
    streams = ["player:long.one", "player:other", "lobby:main", "player:bursty"]
    await settle(stored_everything(rig, streams))
    assert len(await rig.stored("player:long.one")) == 600
    for stream in streams:
        everything = await rig.stored(stream)
        for after_seq in (0, 1, 7, 30, 149, 150, 299, 300, 301, 590, 598, 599, 600, 601, 10**4):
            for limit in (1, 3, 9, 10, 50, 1000):
                expected = [e for e in everything if e.seq > after_seq][:limit]
                read = await rig.stream.read(stream, after_seq=after_seq, limit=limit)
                assert read == expected, (stream, after_seq, limit)
    for missing in ("player:nobody", "player:long", "player:long.on", "player:long%one"):
        assert await rig.stream.read(missing, after_seq=0, limit=10) == []
    assert await rig.stream.read("player:long.one", after_seq=0, limit=0) == []


async def test_the_head_of_a_stream_is_its_last_stored_seq(rig: Rig) -> None:
    """Heads and events come from the same place, so a subscription that starts at the head
    of a stream goes on exactly from there with ``read`` and the live events."""
    await rig.start_relay()
    await rig.commit({"player:head.one": 7, "lobby:main": 2})
    await settle(stored_everything(rig, ["player:head.one", "lobby:main"]))
    assert await rig.stream.head("player:head.one") == 7
    assert await rig.stream.head("lobby:main") == 2
    for missing in ("player:nobody", "player:head", "bad stream name"):
        assert await rig.stream.head(missing) == 0


async def test_broadcasts_arrive_live_and_are_not_stored(rig: Rig) -> None:
    ticks, players = Collector(), Collector()
    rig.stream.subscribe("jackpots", ticks)
    rig.stream.subscribe("player", players)
    tick = StreamEvent("jackpots:all", 7, "jackpot.tick", 1_800_000_000_000, '{"pools":[]}')
    await rig.stream.broadcast(tick)
    await settle(lambda: bool(ticks.received))
    assert ticks.received == [tick]
    assert await rig.stream.read("jackpots:all", after_seq=0, limit=10) == []

    await rig.start_relay()
    await rig.commit({"player:p.1": 2})
    stored = await rig.stored("player:p.1")
    await settle(lambda: len(players.received) >= 2)
    flash = StreamEvent("player:p.1", 3, "test.flash", 1_800_000_000_001, '{"x":1}')
    await rig.stream.broadcast(flash)
    await settle(lambda: len(players.received) >= 3)
    assert players.received == [*stored, flash]
    assert ticks.received == [tick]  # a family hears only its own
    await settle(stored_everything(rig, ["player:p.1"]))
    assert await rig.stream.read("player:p.1", after_seq=0, limit=10) == stored
    if rig.jetstream is not None:
        assert await rig.jetstream_messages() == 2


async def test_unsubscribe_stops_delivery(rig: Rig) -> None:
    first, second = Collector(), Collector()
    stop_first = rig.stream.subscribe("player", first)
    rig.stream.subscribe("player", second)
    await rig.start_relay()
    await rig.commit({"player:p1": 2})
    await settle(lambda: len(second.received) >= 2)
    assert first.received == second.received
    stop_first()
    stop_first()  # twice is harmless
    await rig.commit({"player:p1": 3})
    tick = StreamEvent("player:p1", 9, "test.flash", 1_800_000_000_000, "{}")
    await rig.stream.broadcast(tick)
    await settle(lambda: len(second.received) >= 6)
    assert second.received == [*await rig.stored("player:p1"), tick]
    assert len(first.received) == 2


async def test_a_restarted_relay_republishes_what_it_missed(rig: Rig) -> None:
    live = Collector()
    rig.stream.subscribe("player", live)
    relay = await rig.start_relay()
    for _ in range(3):
        await rig.commit({"player:p1": 2, "player:p.2": 1})
    await settle(lambda: len(live.received) >= 9)
    published_through, _ = await rig.ledger.store.head()
    await relay.close()

    for _ in range(4):  # committed while no relay runs
        await rig.commit({"player:p1": 1, "player:p.2": 2})
    await asyncio.sleep(0.05)
    assert len(live.received) == 9
    through = await rig.stream.relayed_through()
    assert through in (None, published_through)  # None: the stream reads the outbox itself

    await rig.start_relay()
    for _ in range(2):
        await rig.commit({"player:p1": 1})
    outbox = await rig.expected("player")
    assert len(outbox) == 9 + 12 + 2
    await settle(stored_everything(rig, ["player:p1", "player:p.2"]))
    for stream in ("player:p1", "player:p.2"):
        read = await rig.stream.read(stream, after_seq=0, limit=1000)
        assert read == [e for e in outbox if e.stream == stream]  # every seq, once
    if through is None:  # live from the restart on; the missed ones are read from the outbox
        await settle(lambda: len(live.received) >= 11)
        assert live.unique() == outbox[:9] + outbox[-2:]
    else:  # the stream keeps its own copy: the new relay republished what was missed
        await settle(lambda: len(live.unique()) >= len(outbox))
        assert live.unique() == outbox
        assert await rig.stream.relayed_through() == (await rig.ledger.store.head())[0]
        assert await rig.jetstream_messages() == len(outbox)  # no duplicate stored


async def test_a_failed_publish_is_retried_without_loss(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "croupier.relay")
    live = Collector()
    rig.stream.subscribe("player", live)
    failing = Failing(rig.stream)
    await rig.start_relay(failing)
    await rig.commit({"player:p1": 2, "player:p2": 1})
    await rig.commit({"player:p2": 2})
    await settle(lambda: failing.failures >= 3)
    assert live.received == []
    assert any("retrying" in record.getMessage() for record in caplog.records)

    failing.broken = False
    expected = await rig.expected("player")
    await settle(lambda: len(live.received) >= len(expected))
    assert live.received == expected
    await settle(stored_everything(rig, ["player:p1", "player:p2"]))
    if rig.jetstream is not None:
        assert await rig.jetstream_messages() == len(expected)


async def test_a_relay_whose_queue_overflows_catches_up_from_the_outbox(rig: Rig) -> None:
    live = Collector()
    rig.stream.subscribe("player", live)
    failing = Failing(rig.stream)
    await rig.start_relay(failing, queued_batches_max=2)  # memory for two batches only
    for i in range(6):  # six batches pile up while the stream is down
        await rig.commit({f"player:p{i % 3}": 2})
    await settle(lambda: failing.failures >= 2)
    failing.broken = False
    expected = await rig.expected("player")
    await settle(lambda: len(live.unique()) >= len(expected))
    assert live.unique() == expected  # every event, in commit order, none lost
    await settle(stored_everything(rig, ["player:p0", "player:p1", "player:p2"]))


async def test_republished_events_are_stored_once(rig: Rig) -> None:
    await rig.start_relay()
    for _ in range(3):
        await rig.commit({"player:p1": 2, "player:p.2": 1, "lobby:main": 1})
    streams = ["player:p1", "player:p.2", "lobby:main"]
    await settle(stored_everything(rig, streams))
    published = [(e.batch_seq, StreamEvent.of(e)) for e in await rig.outbox()]
    first = published[0][0]
    for window in (  # at least once: the relay may do just this
        published,
        [p for p in published if p[0] == first],
        [p for p in published if p[0] > first],
    ):
        await rig.stream.publish(window)
    for stream in streams:
        assert await rig.stream.read(stream, after_seq=0, limit=100) == await rig.stored(stream)
    if rig.jetstream is not None:
        assert await rig.jetstream_messages() == len(published)


# -- NATS JetStream only -----------------------------------------------------------------------
async def test_a_closed_connection_is_retried_until_nats_is_back(
    nats_rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "croupier.relay")
    live = Collector()
    nats_rig.stream.subscribe("player", live)
    await nats_rig.start_relay()
    await nats_rig.commit({"player:p1": 2})
    await settle(lambda: len(live.received) >= 2)

    await nats_rig.stream.close()  # a real failure: every publish now raises
    await nats_rig.commit({"player:p1": 3, "player:p.2": 1})
    await nats_rig.commit({"player:p.2": 2})
    await settle(lambda: any("retrying" in r.getMessage() for r in caplog.records))
    assert len(live.received) == 2

    await nats_rig.stream.start()  # reconnects, subscribes "player" again
    expected = await nats_rig.expected("player")
    await settle(lambda: len(live.unique()) >= len(expected))
    assert live.unique() == expected
    await settle(stored_everything(nats_rig, ["player:p1", "player:p.2"]))
    assert await nats_rig.jetstream_messages() == len(expected)


async def test_a_second_publisher_adds_nothing_already_stored(nats_rig: Rig) -> None:
    """A restarted server (a new adapter on the same JetStream stream) re-sending what is
    stored: the stream's end tells it what to skip, whatever the de-duplication window."""
    await nats_rig.start_relay()
    for _ in range(3):
        await nats_rig.commit({"player:p1": 2, "lobby:main": 1})
    await settle(stored_everything(nats_rig, ["player:p1", "lobby:main"]))
    published = [(e.batch_seq, StreamEvent.of(e)) for e in await nats_rig.outbox()]
    other = JetStreamStream(
        NATS_URL, stream_name=nats_rig.stream_name, subject_prefix=nats_rig.subject_prefix
    )
    await other.start()
    try:
        assert await other.relayed_through() == published[-1][0]
        await other.publish(published)
        await other.publish([p for p in published if p[0] == published[-1][0]])
        assert await nats_rig.jetstream_messages() == len(published)
        await nats_rig.commit({"player:p1": 1})  # and the first one carries on regardless
        await settle(stored_everything(nats_rig, ["player:p1"]))
        assert await nats_rig.jetstream_messages() == len(published) + 1
        assert await other.read("player:p1", after_seq=0, limit=100) == await nats_rig.stored(
            "player:p1"
        )
    finally:
        await other.close()


async def test_a_batch_cut_short_is_completed_after_a_restart(nats_rig: Rig) -> None:
    """A relay that died while publishing a batch left its first events in JetStream: the
    next one republishes that batch, and only what is missing gets stored."""
    await nats_rig.commit({"player:p1": 2})
    await nats_rig.commit({"player:p1": 1, "player:p.2": 2, "lobby:main": 1})
    published = [(e.batch_seq, StreamEvent.of(e)) for e in await nats_rig.outbox()]
    assert [b for b, _ in published] == [1, 1, 2, 2, 2, 2]
    await nats_rig.stream.publish(published[:2])
    cut_short = published[2:4]
    jetstream = nats_rig.admin.jetstream()
    for batch, event in cut_short:  # as the adapter writes them, without the batch's end
        family, _, stream_id = event.stream.partition(":")
        await jetstream.publish(
            f"{nats_rig.subject_prefix}.ev.{family}.{stream_id.replace('.', '%')}",
            event.data_json.encode(),
            headers={
                "Nats-Msg-Id": f"{event.stream}:{event.seq}",
                nats_adapter.STREAM_HEADER: event.stream,
                nats_adapter.SEQ_HEADER: str(event.seq),
                nats_adapter.TYPE_HEADER: event.type,
                nats_adapter.TS_HEADER: str(event.ts_ms),
                nats_adapter.BATCH_HEADER: str(batch),
            },
        )
    assert await nats_rig.stream.relayed_through() == 1

    await nats_rig.start_relay()
    streams = ["player:p1", "player:p.2", "lobby:main"]
    await settle(stored_everything(nats_rig, streams))
    for stream in streams:
        read = await nats_rig.stream.read(stream, after_seq=0, limit=10)
        assert read == [e for _, e in published if e.stream == stream]
    assert await nats_rig.jetstream_messages() == len(published)
    assert await nats_rig.stream.relayed_through() == 2


async def test_a_message_refused_mid_run_stores_nothing_after_it(
    nats_rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    """JetStream refuses one message of a pipelined run (here: over a size limit an operator
    set): it stores none after it either, so the stream stays a gap-free prefix of the
    outbox, and once the cause is gone the relay's retry stores the rest, once each."""
    caplog.set_level(logging.WARNING, "croupier.relay")
    live = Collector()
    nats_rig.stream.subscribe("player", live)
    await nats_rig.start_relay()
    await nats_rig.commit({"player:p1": 2, "player:p2": 1})
    await settle(stored_everything(nats_rig, ["player:p1", "player:p2"]))
    before = len(await nats_rig.outbox())
    config = (await nats_rig.jetstream.stream_info(nats_rig.stream_name)).config
    await nats_rig.jetstream.update_stream(dataclasses.replace(config, max_msg_size=1024))

    big = AppendEvent.create("player:p1", "test.event", {"pad": "x" * 2000})
    small = [AppendEvent.create("player:p1", "test.event", {"n": n}) for n in range(3)]
    await asyncio.gather(
        nats_rig.ledger.submit([small[0], big, small[1]]),
        nats_rig.ledger.submit([AppendEvent.create("player:p2", "test.event", {"n": 9})]),
        nats_rig.ledger.submit([small[2]]),
    )
    outbox = await nats_rig.outbox()
    assert len({e.batch_seq for e in outbox[before:]}) == 1  # one batch, one pipelined run
    await settle(lambda: any("retrying" in r.getMessage() for r in caplog.records))
    assert await nats_rig.jetstream_messages() == before + 1  # only what came before `big`
    assert await nats_rig.stream.relayed_through() == outbox[before].batch_seq - 1
    stored_p1 = await nats_rig.stored("player:p1")
    assert await nats_rig.stream.read("player:p1", after_seq=0, limit=100) == stored_p1[:3]
    assert (
        await nats_rig.stream.read("player:p2", after_seq=0, limit=100)
        == (await nats_rig.stored("player:p2"))[:1]
    )

    await nats_rig.jetstream.update_stream(dataclasses.replace(config, max_msg_size=-1))
    await settle(stored_everything(nats_rig, ["player:p1", "player:p2"]))
    assert await nats_rig.jetstream_messages() == len(outbox)
    expected = await nats_rig.expected("player")
    await settle(lambda: len(live.unique()) >= len(expected))
    assert live.unique() == expected  # live: at least once (refused ones came too), in order


async def test_closing_the_connection_mid_publish_loses_nothing(
    nats_rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    """The connection closes while a run of messages is in flight: the relay survives,
    retries, and once NATS is back JetStream holds every event once; live subscribers may
    miss some across the gap (the gateway reads them back), never out of order."""
    caplog.set_level(logging.WARNING, "croupier.relay")
    live = Collector()
    nats_rig.stream.subscribe("player", live)
    await nats_rig.start_relay()
    await nats_rig.commit({"player:p1": 3000, "player:p.2": 2000})
    await settle(lambda: bool(live.received))
    await nats_rig.stream.close()
    await settle(lambda: any("retrying" in r.getMessage() for r in caplog.records))

    await nats_rig.stream.start()
    await nats_rig.commit({"player:p1": 1})
    expected = await nats_rig.expected("player")
    await settle(stored_everything(nats_rig, ["player:p1", "player:p.2"]))
    assert await nats_rig.jetstream_messages() == len(expected)
    await settle(lambda: live.received[-1] == expected[-1])
    seen = live.unique()
    assert seen == [e for e in expected if e in set(seen)]  # in commit order


async def test_a_failed_read_of_the_outbox_is_retried_without_loss(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    """Catching up reads the outbox; a passing database error there must not end the relay."""
    caplog.set_level(logging.WARNING, "croupier.relay")
    live = Collector()
    rig.stream.subscribe("player", live)
    store = rig.ledger.store
    read = store.events_in_batches
    failures = 0

    async def flaky_read(first: int, last: int) -> list[Any]:
        nonlocal failures
        if failures < 2:
            failures += 1
            raise ConnectionError("the database went away for a moment")
        return await read(first, last)

    store.events_in_batches = flaky_read  # type: ignore[method-assign]
    failing = Failing(rig.stream)
    await rig.start_relay(failing, queued_batches_max=1)  # the queue overflows: catch up
    for i in range(4):
        await rig.commit({f"player:p{i % 2}": 2})
    await settle(lambda: failing.failures >= 1)
    failing.broken = False
    await settle(lambda: failures == 2)
    del store.events_in_batches  # the test's own reads below go to the store itself
    expected = await rig.expected("player")
    await settle(lambda: len(live.unique()) >= len(expected))
    assert live.unique() == expected
    assert any("reading the outbox failed" in r.getMessage() for r in caplog.records)
