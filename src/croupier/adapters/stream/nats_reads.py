"""Reading the JetStream stream back: direct gets, the search for a seq, consumer reads.

A stream resumes after a seq in O(log N + k) round trips: a direct get of the stream's head,
a search of the JetStream sequence for the first message above the seq (guessing from the
stream's density, bisecting every other step), then either a few more direct gets or, for
more than a handful of events, one ephemeral consumer. See docs/realtime.md, "The event
stream on NATS JetStream".
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from typing import Any

import nats.errors
from nats.aio.client import Client
from nats.js import JetStreamManager
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from croupier.adapters.stream.nats_wire import Stored, Tail, stored_of
from croupier.services.stream import StreamEvent

__all__ = ["JetStreamReads"]

_GETS_MAX = 8  # a read needing more events than this after the first uses a consumer
_CONSUMER_IDLE_S = 30.0  # the server drops a read's consumer if its delete is lost


class JetStreamReads:
    """The reads of one JetStream stream, on the connection its adapter holds at the time
    (``connection`` and ``manager`` raise when it is closed)."""

    def __init__(
        self,
        stream_name: str,
        subject_prefix: str,
        timeout_s: float,
        *,
        connection: Callable[[], Client],
        manager: Callable[[], JetStreamManager],
    ) -> None:
        self.stream_name = stream_name
        self.subject_prefix = subject_prefix
        self.timeout_s = timeout_s
        self._connection = connection
        self._manager = manager

    async def read(self, subject: str, *, after_seq: int, limit: int) -> list[StreamEvent]:
        """The stored events of ``subject`` after ``after_seq``, in order, at most ``limit``."""
        head = await self.get({"last_by_subj": subject})
        if head is None or head.event.seq <= after_seq:
            return []
        if after_seq <= 0:
            first = await self.get({"seq": 1, "next_by_subj": subject})
        else:
            first = await self._first_after(subject, after_seq, head)
        if first is None:
            return []
        found = [first]
        more = min(limit, head.event.seq - max(after_seq, 0)) - 1
        if more > 0 and first.position < head.position:
            if more <= _GETS_MAX:
                found += await self._following(subject, first.position, more)
            else:
                found += await self._consume(subject, first.position + 1, head.position, more)
        events: list[StreamEvent] = []
        last = after_seq
        for stored in found:  # the stream never repeats a seq; this only makes sure
            if stored.event.seq > last:
                events.append(stored.event)
                last = stored.event.seq
        return events[:limit]

    async def tail(self) -> Tail:
        """What the stream ends with: its last JetStream sequence and its newest message."""
        info = await self._manager().stream_info(self.stream_name)
        newest = None
        if info.state.messages:
            newest = await self.get({"last_by_subj": f"{self.subject_prefix}.ev.>"})
        return Tail(info.state.last_seq, newest)

    async def get(self, request: Mapping[str, Any]) -> Stored | None:
        """One direct get; None when no message matches."""
        msg = await self._connection().request(
            f"$JS.API.DIRECT.GET.{self.stream_name}",
            json.dumps(request).encode(),
            timeout=self.timeout_s,
        )
        headers = msg.headers or {}
        status = headers.get("Status")
        if status == "404":
            return None
        if status is not None:
            raise nats.errors.Error(f"direct get from {self.stream_name} failed: {headers}")
        return stored_of(headers, msg.data, int(headers["Nats-Sequence"]))

    async def _first_after(self, subject: str, after_seq: int, head: Stored) -> Stored | None:
        """The subject's first message with a seq above ``after_seq``: seqs grow with the
        JetStream sequence, so search it, guessing where the seq sits from the stream's
        density (a resume a few events back usually takes one or two gets), bisecting every
        other step so that a stream written in bursts costs at most ~2·log2(messages).
        Invariant: the messages before ``low`` are at or below ``after_seq`` (the last of them
        at ``low_seq``); ``best``, above it, is the first message at or after ``high``."""
        low, low_seq, high, best = 1, 0, head.position, head
        guess = True
        while low < high:
            if guess:  # where seq after_seq + 1 would be, half an average gap early
                span = best.position - low
                events = best.event.seq - low_seq
                middle = low + (span * (after_seq - low_seq) - span // 2) // events
            else:
                middle = (low + high) // 2
            middle, guess = min(max(middle, low), high - 1), not guess
            found = await self.get({"seq": middle, "next_by_subj": subject})
            if found is None:  # gone meanwhile (only an operator deletes messages)
                return None
            if found.event.seq > after_seq:
                high, best = middle, found
                if found.event.seq == after_seq + 1:
                    break
            else:
                low, low_seq = found.position + 1, found.event.seq
                if found.event.seq == after_seq:
                    return await self.get({"seq": low, "next_by_subj": subject})
        return best

    async def _following(self, subject: str, position: int, count: int) -> list[Stored]:
        found: list[Stored] = []
        while len(found) < count:
            stored = await self.get({"seq": position + 1, "next_by_subj": subject})
            if stored is None:
                break
            found.append(stored)
            position = stored.position
        return found

    async def _consume(self, subject: str, start: int, until: int, count: int) -> list[Stored]:
        """Up to ``count`` messages of the subject from JetStream sequence ``start``, stopping
        at ``until``, through an ephemeral push consumer. Its acks are never sent, so with
        ``max_ack_pending`` the server delivers no more than ``count``."""
        nc = self._connection()
        inbox = nc.new_inbox()
        sub = await nc.subscribe(inbox)
        consumer = None
        found: list[Stored] = []
        try:
            info = await self._manager().add_consumer(
                self.stream_name,
                ConsumerConfig(
                    deliver_subject=inbox,
                    filter_subject=subject,
                    deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                    opt_start_seq=start,
                    ack_policy=AckPolicy.EXPLICIT,
                    max_ack_pending=count,
                    mem_storage=True,
                    num_replicas=1,
                    inactive_threshold=_CONSUMER_IDLE_S,
                ),
            )
            consumer = info.name
            while len(found) < count:
                msg = await sub.next_msg(timeout=self.timeout_s)
                headers = msg.headers or {}
                if "Status" in headers:  # heartbeats and flow control: none are asked for
                    continue
                stored = stored_of(headers, msg.data, msg.metadata.sequence.stream)
                found.append(stored)
                if stored.position >= until:
                    break
        finally:
            with contextlib.suppress(nats.errors.Error):
                await sub.unsubscribe()
            if consumer is not None and not nc.is_closed:
                # No need to wait for the answer: the server drops it when idle anyway.
                await nc.publish(f"$JS.API.CONSUMER.DELETE.{self.stream_name}.{consumer}")
        return found
