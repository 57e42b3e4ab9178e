"""One stream, one ledger (issue 13, section 3): a relay resumes a JetStream stream only if
its own ledger, as it now stands, wrote the stream's newest event; otherwise it refuses to
start, and publishes nothing, rather than skip or repeat events.

The bug this pins: a server with a new SQLite ledger, pointed at a stream an earlier ledger
had filled, trusted that stream's last batch header and skipped its own first events, so a
client resuming with ``after_seq`` was closed with 1011 "events are missing".

Real parts only: SQLite ledgers in the test's directory, the local NATS server, a JetStream
stream of the test's own (``stream_url``), deleted afterwards.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nats
import pytest

from croupier.adapters.stream.nats import (
    BATCH_HASH_HEADER,
    BATCH_HEADER,
    LEDGER_HEADER,
    SEQ_HEADER,
    STREAM_HEADER,
    TS_HEADER,
    TYPE_HEADER,
)
from croupier.bootstrap import make_stream
from croupier.domain.errors import StreamLedgerMismatch
from croupier.domain.ledger import AppendEvent
from croupier.services.ledger import Ledger
from croupier.services.stream import EventStream, OutboxRelay, StreamEvent
from tests.support.ledger import open_test_ledger
from tests.support.nats import (
    NATS_URL,
    STEP_TIMEOUT_S,
    nats_stream_url,  # noqa: F401  (a fixture)
)

WAIT_S = 30.0  # a budget for a condition to hold, not a delay
STREAMS = ("player:p1", "lobby:main")


@pytest.fixture
def stream_url(request: pytest.FixtureRequest) -> str:
    """A JetStream stream of the test's own (``nats_stream_url``), deleted afterwards."""
    return str(request.getfixturevalue("nats_stream_url"))


async def settle(check: Callable[[], Awaitable[bool]]) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.01)


async def commit(ledger: Ledger, batches: int, tag: str) -> None:
    """``batches`` batches, one after the other, each with an event on every stream."""
    for n in range(batches):
        await ledger.submit(
            [AppendEvent.create(s, "test.event", {"n": n, "tag": tag}) for s in STREAMS]
        )


async def outbox(ledger: Ledger) -> list[StreamEvent]:
    head, _ = await ledger.store.head()
    return [StreamEvent.of(e) for e in await ledger.store.events_in_batches(1, head)]


async def stored(stream: EventStream) -> list[StreamEvent]:
    found = [await stream.read(s, after_seq=0, limit=1000) for s in STREAMS]
    return [e for events in found for e in events]


def by_stream(events: list[StreamEvent]) -> list[StreamEvent]:
    return [e for s in STREAMS for e in events if e.stream == s]


@asynccontextmanager
async def serving(
    path: Path, stream_url: str, *, relay: bool = True
) -> AsyncIterator[tuple[Ledger, EventStream]]:
    """A ledger and the stream adapter the server would build, with a relay started on it
    the server's way (told of every commit before it starts)."""
    ledger = await open_test_ledger(f"sqlite:///{path}")
    stream = make_stream(stream_url, ledger.store)
    relays: list[OutboxRelay] = []
    try:
        await asyncio.wait_for(stream.start(), STEP_TIMEOUT_S)
        if relay:
            relays.append(OutboxRelay(ledger.store, stream, retry_s=0.02))
            assert ledger.writer is not None
            ledger.writer.on_commit(relays[0].on_commit)
            await asyncio.wait_for(relays[0].start(), STEP_TIMEOUT_S)
        yield ledger, stream
    finally:
        for started in relays:
            await started.close()
        await stream.close()
        await ledger.close()


async def relayed_everything(ledger: Ledger, stream: EventStream) -> None:
    async def check() -> bool:
        return await stored(stream) == by_stream(await outbox(ledger))

    await settle(check)
    assert await stored(stream) == by_stream(await outbox(ledger))


async def stream_messages(stream_url: str) -> int:
    name = parse_qs(urlsplit(stream_url).query)["stream"][0]
    client = await nats.connect(NATS_URL, connect_timeout=STEP_TIMEOUT_S)
    try:
        info = await client.jsm(timeout=STEP_TIMEOUT_S).stream_info(name)
        return int(info.state.messages)
    finally:
        await client.close()


async def filled_by_a_first_ledger(tmp_path: Path, stream_url: str, batches: int = 3) -> int:
    async with serving(tmp_path / "first.db", stream_url) as (ledger, stream):
        await commit(ledger, batches, "first")
        await relayed_everything(ledger, stream)
    return await stream_messages(stream_url)


@pytest.mark.parametrize("batches", [0, 1, 3, 6])
async def test_a_new_ledger_refuses_a_stream_another_ledger_filled(
    tmp_path: Path, stream_url: str, batches: int
) -> None:
    """Empty, behind, level with or ahead of the earlier ledger: refused all the same."""
    messages = await filled_by_a_first_ledger(tmp_path, stream_url)
    async with serving(tmp_path / "second.db", stream_url, relay=False) as (ledger, _):
        await commit(ledger, batches, "second")
    with pytest.raises(StreamLedgerMismatch, match="another ledger"):
        async with serving(tmp_path / "second.db", stream_url):
            pass
    assert await stream_messages(stream_url) == messages  # it published nothing


async def test_a_stream_stored_without_marks_is_checked_by_its_newest_event(
    tmp_path: Path, stream_url: str
) -> None:
    """Events an older version stored carry no mark: the newest one must be in this
    ledger's batch, as it is for the ledger that wrote it and not for another."""
    async with serving(tmp_path / "first.db", stream_url, relay=False) as (first, stream):
        await commit(first, 3, "first")
        events = await first.store.events_in_batches(1, 3)
        await stream.publish([(e.batch_seq, StreamEvent.of(e)) for e in events])  # no marks
    async with serving(tmp_path / "second.db", stream_url, relay=False) as (second, _):
        await commit(second, 4, "second")
    with pytest.raises(StreamLedgerMismatch, match="another ledger's stream"):
        async with serving(tmp_path / "second.db", stream_url):
            pass
    async with serving(tmp_path / "first.db", stream_url) as (first, stream):
        await commit(first, 1, "first")
        await relayed_everything(first, stream)


def backup(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite ledger (the online backup API)."""
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    live.close()
    copy.close()


async def test_a_ledger_restored_to_an_earlier_point_refuses_the_stream(
    tmp_path: Path, stream_url: str
) -> None:
    async with serving(tmp_path / "live.db", stream_url) as (ledger, stream):
        await commit(ledger, 2, "live")
        backup(tmp_path / "live.db", tmp_path / "restored.db")
        await commit(ledger, 2, "live")  # clients may have seen these: the backup has not
        await relayed_everything(ledger, stream)
    messages = await stream_messages(stream_url)
    with pytest.raises(StreamLedgerMismatch, match="ends at batch 2"):
        async with serving(tmp_path / "restored.db", stream_url):
            pass
    # The restored ledger writes on past the stream's end: other batches, other hashes.
    async with serving(tmp_path / "restored.db", stream_url, relay=False) as (restored, _):
        await commit(restored, 3, "restored")
    with pytest.raises(StreamLedgerMismatch, match="restored to an earlier point"):
        async with serving(tmp_path / "restored.db", stream_url):
            pass
    assert await stream_messages(stream_url) == messages


async def test_the_same_ledger_resumes_a_stream_left_behind(
    tmp_path: Path, stream_url: str
) -> None:
    async with serving(tmp_path / "ledger.db", stream_url) as (ledger, stream):
        await commit(ledger, 2, "before")
        await relayed_everything(ledger, stream)
    async with serving(tmp_path / "ledger.db", stream_url, relay=False) as (ledger, _):
        await commit(ledger, 3, "unrelayed")  # committed while no relay ran (a crash)
    async with serving(tmp_path / "ledger.db", stream_url) as (ledger, stream):
        await commit(ledger, 1, "after")
        await relayed_everything(ledger, stream)
    assert await stream_messages(stream_url) == 2 * 6  # each event stored once


async def test_the_same_ledger_completes_a_batch_a_crash_cut_short(
    tmp_path: Path, stream_url: str
) -> None:
    """The stream holds the first event of a batch whose end never made it (the relay died
    mid-publish): marked, it is this ledger's, and the batch is completed, nothing twice."""
    async with serving(tmp_path / "ledger.db", stream_url) as (ledger, stream):
        await commit(ledger, 2, "before")
        await relayed_everything(ledger, stream)
    async with serving(tmp_path / "ledger.db", stream_url, relay=False) as (ledger, _):
        await commit(ledger, 1, "cut")
        head, head_hash = await ledger.store.head()
        first_hash = (await ledger.store.batch_hashes(1, 1))[1]
        cut = (await ledger.store.events_in_batches(head, head))[0]
    query = parse_qs(urlsplit(stream_url).query)
    family, _, stream_id = cut.stream.partition(":")
    client = await nats.connect(NATS_URL, connect_timeout=STEP_TIMEOUT_S)
    try:
        await client.jetstream(timeout=STEP_TIMEOUT_S).publish(
            f"{query['prefix'][0]}.ev.{family}.{stream_id}",
            cut.data_json.encode(),
            headers={
                STREAM_HEADER: cut.stream,
                SEQ_HEADER: str(cut.seq),
                TYPE_HEADER: cut.type,
                TS_HEADER: str(cut.timestamp_ms),
                BATCH_HEADER: str(head),
                LEDGER_HEADER: first_hash,
                BATCH_HASH_HEADER: head_hash,
            },
        )
    finally:
        await client.close()
    async with serving(tmp_path / "ledger.db", stream_url) as (ledger, stream):
        await relayed_everything(ledger, stream)
    assert await stream_messages(stream_url) == 3 * 2
