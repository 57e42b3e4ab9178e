"""The event stream on NATS JetStream, shared by every Croupier process (``nats://host:4222``).

A durable event goes to ``<prefix>.ev.<family>.<id>`` in one JetStream stream; a ticker value
to ``<prefix>.tick.<family>`` on core NATS. Publishes are conditional on the stream's last
sequence, so the stream is always a gap-free prefix of the outbox in commit order, whatever
is retried; ``read`` resumes a stream after a seq in O(log N + k) round trips. The design —
subjects and headers, exactly-once storage, how a stream is read — is in docs/realtime.md,
"The event stream on NATS JetStream".
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

import nats
import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamManager
from nats.js.api import (
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import BadRequestError, NotFoundError

from croupier.adapters.stream.fanout import Fanout
from croupier.adapters.stream.nats_reads import JetStreamReads
from croupier.adapters.stream.nats_wire import (
    BATCH_END_HEADER,
    BATCH_HASH_HEADER,
    BATCH_HEADER,
    LEDGER_HEADER,
    SEQ_HEADER,
    STREAM_HEADER,
    TS_HEADER,
    TYPE_HEADER,
    JetStreamRefused,
    Stored,
    StreamMismatch,
    Tail,
    event_of,
    headers_of,
)
from croupier.domain.ledger.events import STREAM_PATTERN
from croupier.services.stream import BatchMark, Handler, StreamEvent, StreamTail, family_of

__all__ = [
    "BATCH_END_HEADER",
    "BATCH_HASH_HEADER",
    "BATCH_HEADER",
    "LEDGER_HEADER",
    "SEQ_HEADER",
    "STREAM_HEADER",
    "TS_HEADER",
    "TYPE_HEADER",
    "JetStreamRefused",
    "JetStreamStream",
    "StreamMismatch",
]

DUPLICATE_WINDOW_S = 120.0
_PIPELINE_MAX = 1024  # messages sent before their acks are awaited (nats-py allows 4000)
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}\Z")
_PREFIX = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\Z")
_FAMILY = re.compile(r"^[a-z][a-z0-9_-]{0,31}\Z")

_log = logging.getLogger("croupier.stream.nats")


class JetStreamStream:
    def __init__(
        self,
        url: str,
        *,
        stream_name: str = "CROUPIER_EVENTS",
        subject_prefix: str = "croupier",
        timeout_s: float = 5.0,
        num_replicas: int = 1,
    ) -> None:
        if not _NAME.match(stream_name):
            raise ValueError(f"a JetStream stream name is [A-Za-z0-9_-]+: {stream_name!r}")
        if not _PREFIX.match(subject_prefix):
            raise ValueError(
                f"a subject prefix is dot-separated [A-Za-z0-9_-]+: {subject_prefix!r}"
            )
        self.url = url
        self.stream_name = stream_name
        self.subject_prefix = subject_prefix
        self.timeout_s = timeout_s
        #: Copies of the stream JetStream keeps (1 on one server; 3 on a 3-node cluster).
        self.num_replicas = num_replicas
        self._fanout = Fanout()
        self._families: set[str] = set()  # subscribed on every connection this adapter opens
        self._subscribing: dict[str, asyncio.Task[None]] = {}
        self._nc: Client | None = None
        self._jsm: JetStreamManager | None = None
        self._acks_inbox = ""  # acks come to <inbox>.<token>
        self._acks: dict[str, asyncio.Future[int]] = {}  # token -> the stored position
        self._tokens = itertools.count()
        self._publishing = asyncio.Lock()
        self._tail: Tail | None = None  # None: unknown, read it before the next publish
        self._reads = JetStreamReads(
            stream_name,
            subject_prefix,
            timeout_s,
            connection=self._connection,
            manager=self._manager,
        )

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> None:
        """Connect, create the JetStream stream or bring its settings up to date, and
        subscribe the families subscribed so far (``start`` again after ``close`` reconnects)."""
        if self._nc is not None:
            return
        nc = await nats.connect(
            self.url.split(","),  # a cluster: nats://a:4222,nats://b:4222
            name="croupier",
            connect_timeout=max(1, round(self.timeout_s)),
            max_reconnect_attempts=1,  # fail fast when the server is down at start …
            reconnect_time_wait=1,
            error_cb=self._on_error,
            disconnected_cb=self._on_disconnected,
            reconnected_cb=self._on_reconnected,
        )
        nc.options["max_reconnect_attempts"] = -1  # … but once connected, never give up
        try:
            jsm = nc.jsm(timeout=self.timeout_s)
            await self._ensure_stream(jsm)
            acks_inbox = nc.new_inbox()
            await nc.subscribe(f"{acks_inbox}.*", cb=self._on_ack)
            for family in sorted(self._families):
                await self._subscribe_family(nc, family)
        except BaseException:
            await nc.close()
            raise
        self._nc, self._jsm, self._acks_inbox, self._tail = nc, jsm, acks_inbox, None

    async def close(self) -> None:
        nc, self._nc, self._jsm, self._tail = self._nc, None, None, None
        for task in self._subscribing.values():
            task.cancel()
        if nc is not None and not nc.is_closed:
            if nc.is_connected:
                with contextlib.suppress(Exception):
                    await nc.drain()  # lets subscribers finish what they were handed
            if not nc.is_closed:
                await nc.close()
        for future in self._acks.values():  # a publish waiting on them raises (and is retried)
            if not future.done():
                future.set_exception(nats.errors.ConnectionClosedError())

    async def _ensure_stream(self, jsm: JetStreamManager) -> None:
        subjects = [f"{self.subject_prefix}.ev.>"]
        try:
            info = await jsm.stream_info(self.stream_name)
        except NotFoundError:
            config = StreamConfig(
                name=self.stream_name,
                subjects=subjects,
                storage=StorageType.FILE,
                retention=RetentionPolicy.LIMITS,
                discard=DiscardPolicy.OLD,
                duplicate_window=DUPLICATE_WINDOW_S,
                allow_direct=True,
                num_replicas=self.num_replicas,
            )
            try:
                await jsm.add_stream(config)
            except BadRequestError as error:
                raise _overlap_error(self.stream_name, subjects[0], error) from error
            return
        current = info.config
        if (
            current.subjects != subjects
            or (current.num_replicas or 1) < self.num_replicas
            or not current.allow_direct
            or abs((current.duplicate_window or 0) - DUPLICATE_WINDOW_S) > 1e-3
        ):
            # Only what this adapter relies on changes; limits an operator set are kept, and
            # replicas only ever go up (a process started with fewer never shrinks it).
            await jsm.update_stream(
                dataclasses.replace(
                    current,
                    subjects=subjects,
                    duplicate_window=DUPLICATE_WINDOW_S,
                    allow_direct=True,
                    num_replicas=max(current.num_replicas or 1, self.num_replicas),
                )
            )

    # -- the EventStream port ------------------------------------------------------------------
    async def relayed_through(self) -> int:
        """The batch of the newest stored event, or the one before when that batch was cut
        short (its last event lacks the batch-end header); 0 when the stream is empty."""
        async with self._publishing:
            self._tail = tail = await self._reads.tail()
        newest = tail.newest
        if newest is None:
            return 0
        return newest.batch if newest.batch_end else newest.batch - 1

    async def newest(self) -> StreamTail | None:
        """The newest stored event, its batch and mark (from the tail ``relayed_through``
        just read, else one more read)."""
        async with self._publishing:
            if self._tail is None:
                self._tail = await self._reads.tail()
            newest = self._tail.newest
        if newest is None:
            return None
        return StreamTail(newest.event, newest.batch, newest.mark)

    async def publish(
        self,
        events: Sequence[tuple[int, StreamEvent]],
        marks: Mapping[int, BatchMark] | None = None,
    ) -> None:
        """Store the events in order, pipelined (up to 1024 messages are sent before their
        acks are awaited together); raise unless the stream then holds every one of them.
        Each message carries its batch's mark, when ``marks`` has it.

        Each call must hold whole batches, as the relay's do: the last event of each batch
        in the call is marked as its batch's end (see :meth:`relayed_through`).
        """
        if not events:
            return
        await self._ready()
        async with self._publishing:
            nc = self._connection()
            tail = self._tail or await self._reads.tail()
            self._tail = None  # unknown until every ack is in
            todo = events[_stored_already(events, tail.newest) :]
            if not todo:
                self._tail = tail
                return
            last = tail.last_position
            for start in range(0, len(todo), _PIPELINE_MAX):
                await self._publish_run(
                    nc, todo, start, min(start + _PIPELINE_MAX, len(todo)), last, marks or {}
                )
            batch, event = todo[-1]
            self._tail = Tail(
                last + len(todo),
                Stored(last + len(todo), batch, True, event, (marks or {}).get(batch)),
            )

    async def _publish_run(
        self,
        nc: Client,
        todo: Sequence[tuple[int, StreamEvent]],
        start: int,
        stop: int,
        last_position: int,
        marks: Mapping[int, BatchMark],
    ) -> None:
        """Send ``todo[start:stop]`` at once, then wait for every ack (one round trip);
        message ``i`` expects the stream to end at ``last_position + i``. (Not nats-py's
        ``publish_async``: it never fails the future of a refused message, it times out.)"""
        loop = asyncio.get_running_loop()
        tokens: list[str] = []
        futures: list[asyncio.Future[int]] = []
        try:
            for i in range(start, stop):
                batch, event = todo[i]
                headers = headers_of(event)
                headers["Nats-Msg-Id"] = f"{event.stream}:{event.seq}"
                headers["Nats-Expected-Last-Sequence"] = str(last_position + i)
                headers[BATCH_HEADER] = str(batch)
                if (mark := marks.get(batch)) is not None:
                    headers[LEDGER_HEADER], headers[BATCH_HASH_HEADER] = mark
                if i + 1 == len(todo) or todo[i + 1][0] != batch:
                    headers[BATCH_END_HEADER] = "1"
                token = str(next(self._tokens))
                tokens.append(token)
                futures.append(future := loop.create_future())
                self._acks[token] = future
                await nc.publish(
                    self._subject(event.stream),
                    event.data_json.encode(),
                    reply=f"{self._acks_inbox}.{token}",
                    headers=headers,
                )
            positions = await asyncio.wait_for(asyncio.gather(*futures), self.timeout_s)
        finally:
            for token in tokens:
                self._acks.pop(token, None)
            for future in futures:
                if not future.done():
                    future.cancel()
                elif not future.cancelled():
                    future.exception()  # seen: asyncio need not report it
        if positions[-1] != last_position + stop:  # unreachable with the expected sequences
            raise StreamMismatch(
                f"JetStream stored events up to {positions[-1]}, not {last_position + stop}"
            )

    async def _on_ack(self, msg: Msg) -> None:
        future = self._acks.pop(msg.subject.rpartition(".")[2], None)
        if future is None or future.done():
            return
        if not msg.data:  # a status, such as 503: nothing listens on the subject
            future.set_exception(JetStreamRefused(f"no JetStream ack: {msg.headers}"))
            return
        try:
            ack = json.loads(msg.data)
            error = ack.get("error")
            if error is not None:
                future.set_exception(
                    JetStreamRefused(
                        f"{error.get('description')} (err_code {error.get('err_code')})"
                    )
                )
            elif ack.get("duplicate"):  # stored before: what follows it will be refused
                future.set_exception(StreamMismatch(f"duplicate of message {ack.get('seq')}"))
            else:
                future.set_result(int(ack["seq"]))
        except (ValueError, KeyError, AttributeError, TypeError):
            future.set_exception(JetStreamRefused(f"not a JetStream ack: {msg.data[:200]!r}"))

    async def broadcast(self, event: StreamEvent) -> None:
        await self._ready()
        subject = f"{self.subject_prefix}.tick.{_checked_family(family_of(event.stream))}"
        await self._connection().publish(
            subject, event.data_json.encode(), headers=headers_of(event)
        )

    async def head(self, stream: str) -> int:
        """The seq of the stream's last stored event: one direct get."""
        if not STREAM_PATTERN.match(stream):
            return 0
        await self._ready()
        last = await self._reads.get({"last_by_subj": self._subject(stream)})
        return 0 if last is None else last.event.seq

    async def read(self, stream: str, *, after_seq: int, limit: int) -> list[StreamEvent]:
        """The stored events of ``stream`` after ``after_seq``, in order, at most ``limit``
        (the cost: see the module's documentation)."""
        if limit <= 0 or not STREAM_PATTERN.match(stream):
            return []
        await self._ready()
        return await self._reads.read(self._subject(stream), after_seq=after_seq, limit=limit)

    def subscribe(self, family: str, handler: Handler) -> Callable[[], None]:
        """Live events of a family (stored and ticker ones), through one pair of core NATS
        subscriptions per family, kept for the connection's lifetime and shared by every
        handler of this process."""
        unsubscribe = self._fanout.subscribe(_checked_family(family), handler)
        if family not in self._families:
            self._families.add(family)
            if self._nc is not None:
                task = asyncio.get_running_loop().create_task(
                    self._subscribe_family(self._nc, family), name=f"nats-subscribe-{family}"
                )
                self._subscribing[family] = task
                task.add_done_callback(lambda done: self._subscribed(family, done))
        return unsubscribe

    # -- subscriptions -------------------------------------------------------------------------
    async def _subscribe_family(self, nc: Client, family: str) -> None:
        await nc.subscribe(f"{self.subject_prefix}.ev.{family}.*", cb=self._on_message)
        await nc.subscribe(f"{self.subject_prefix}.tick.{family}", cb=self._on_message)

    def _subscribed(self, family: str, task: asyncio.Task[None]) -> None:
        if self._subscribing.get(family) is task:
            del self._subscribing[family]
        if not task.cancelled() and (error := task.exception()) is not None:
            _log.warning("subscribing to %s events failed: %s", family, error)

    async def _ready(self) -> None:
        """Wait for subscriptions being set up, so that they reach the server before what
        this call sends: a read right after a subscribe misses no event in between."""
        if self._subscribing:
            await asyncio.wait(list(self._subscribing.values()))

    async def _on_message(self, msg: Msg) -> None:
        try:
            event = event_of(msg.headers or {}, msg.data)
        except (KeyError, ValueError):
            _log.warning("ignoring a message without the event headers on %s", msg.subject)
            return
        self._fanout.deliver(event)

    # -- plumbing ------------------------------------------------------------------------------
    def _subject(self, stream: str) -> str:
        family, _, stream_id = stream.partition(":")
        if not STREAM_PATTERN.match(stream):
            raise ValueError(f"not a stream name: {stream!r}")
        return f"{self.subject_prefix}.ev.{family}.{stream_id.replace('.', '%')}"

    def _connection(self) -> Client:
        if self._nc is None:
            raise nats.errors.ConnectionClosedError
        return self._nc

    def _manager(self) -> JetStreamManager:
        if self._jsm is None:
            raise nats.errors.ConnectionClosedError
        return self._jsm

    def _where(self) -> str:
        """The URL(s) without credentials, for the logs."""
        where = []
        for url in self.url.split(","):
            parts = urlsplit(url.strip())
            host = parts.hostname or ""
            netloc = f"{host}:{parts.port}" if parts.port else host
            where.append(urlunsplit(parts._replace(netloc=netloc)))
        return ",".join(where)

    async def _on_error(self, error: Exception) -> None:
        _log.warning("NATS at %s: %s", self._where(), error or type(error).__name__)

    async def _on_disconnected(self) -> None:
        if self._nc is not None:  # not ``close``
            _log.warning("disconnected from NATS at %s; reconnecting", self._where())

    async def _on_reconnected(self) -> None:
        _log.info("reconnected to NATS at %s", self._where())
        self._tail = None  # acks may have been lost: read the stream's end again


def _checked_family(family: str) -> str:
    if not _FAMILY.match(family):
        raise ValueError(f"not a stream family: {family!r}")
    return family


def _stored_already(events: Sequence[tuple[int, StreamEvent]], newest: Stored | None) -> int:
    """How many of ``events`` (a run of the outbox, in commit order) the stream holds: it is
    a gap-free prefix of the outbox, so all of them up to its newest message."""
    if newest is None or newest.batch < events[0][0]:
        return 0
    if newest.batch > events[-1][0]:
        return len(events)
    stream, seq = newest.event.stream, newest.event.seq
    for i, (_, event) in enumerate(events):
        if event.seq == seq and event.stream == stream:
            return i + 1
    raise StreamMismatch(
        f"the JetStream stream ends with {stream}#{seq} of batch {newest.batch}, "
        "which the outbox's batch does not hold: is it another ledger's stream?"
    )


_SUBJECTS_OVERLAP = 10065  # JetStream's err_code: another stream already takes these subjects


def _overlap_error(name: str, subjects: str, error: BadRequestError) -> Exception:
    """Say what to do when a new stream's subjects are another stream's (a stream renamed
    after a restore, the old one kept: docs/operations.md, "Backup and point-in-time
    restore"); other refusals are raised as they are."""
    if error.err_code != _SUBJECTS_OVERLAP:
        return error
    from croupier.config import ConfigError  # config imports the services

    return ConfigError(
        f"cannot create the event stream {name}: another stream already takes {subjects}. "
        "A new stream name needs a new subject prefix while the old stream is kept "
        "(CROUPIER_STREAM_URL=nats://…?stream=NEW_NAME&prefix=NEW_PREFIX, the same for "
        "every process of the deployment), or delete the old stream first"
    )
