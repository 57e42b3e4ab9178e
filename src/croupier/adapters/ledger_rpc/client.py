"""The gateway's side: ``submit`` to a writer in another process, over NATS request/reply.

Batching: what services submit while earlier messages are on their way goes out together,
many groups in one message (at most ``groups_per_message_max``), so a busy gateway sends
few large messages and an idle one adds no delay. At most ``messages_in_flight_max``
messages wait for replies at once.

Deadlines and retries: each message waits ``attempt_timeout_s`` for its reply; a group
without an answer (no writer subscribed, a timeout, a writer that stopped or was busy, a
reply that is not signed with ``CROUPIER_LEDGER_SECRET`` or does not decode) is
sent again, *the same commands with the same ids*, until ``deadline_s`` has passed since it
was submitted. The ledger makes that safe: a group whose transfers committed already is a
replay and answers what it answered the first time (``Applied.replayed``); an account
opened again is a no-op; an event-only group carries ``expected_seq``, so a second append
is refused as a ``StreamConflict``, never written twice. Past the deadline the caller gets
``LedgerUnavailable`` (503 ``ledger-unavailable`` with ``Retry-After`` at the API).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import nats.errors
from nats.aio.client import Client

from croupier.adapters.ledger_rpc import auth
from croupier.adapters.ledger_rpc.codec import (
    GROUPS_PER_MESSAGE_MAX,
    Outcome,
    decode_outcomes,
    encode_group,
    join_groups,
)
from croupier.adapters.ledger_rpc.server import connect
from croupier.domain.errors import Busy, CroupierError, LedgerUnavailable
from croupier.domain.ledger import Applied, Command

__all__ = ["RemoteSubmitter"]

_log = logging.getLogger("croupier.ledger.rpc")
#: Worth sending again: nothing was applied, or it was and the replay will say so.
_RETRIED = (LedgerUnavailable, Busy)


@dataclass(slots=True)
class _Waiting:
    commands: bytes  # encoded
    future: asyncio.Future[Applied]
    deadline: float  # monotonic


class RemoteSubmitter:
    def __init__(
        self,
        servers: list[str],
        subject: str,
        *,
        secret: bytes,
        deadline_s: float = 15.0,
        attempt_timeout_s: float = 3.0,
        retry_wait_s: float = 0.25,
        groups_per_message_max: int = 256,
        messages_in_flight_max: int = 64,
        queue_groups_max: int = 50_000,
    ) -> None:
        if not 1 <= groups_per_message_max <= GROUPS_PER_MESSAGE_MAX:
            raise ValueError(f"groups_per_message_max must be 1 to {GROUPS_PER_MESSAGE_MAX}")
        if min(deadline_s, attempt_timeout_s, retry_wait_s) <= 0 or messages_in_flight_max < 1:
            raise ValueError("remote ledger limits must be positive")
        self.servers = servers
        self.subject = subject
        self.secret = secret
        self.deadline_s = deadline_s
        self.attempt_timeout_s = attempt_timeout_s
        self.retry_wait_s = retry_wait_s
        self.groups_per_message_max = groups_per_message_max
        self.queue_groups_max = queue_groups_max
        self._in_flight = asyncio.Semaphore(messages_in_flight_max)
        self._queue: deque[_Waiting] = deque()
        self._wake = asyncio.Event()
        self._nc: Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._sending: set[asyncio.Task[None]] = set()
        #: Requests sent (retries included) and the groups they carried: their ratio is how
        #: much batching saves.
        self.messages_sent = 0
        self.groups_sent = 0

    @property
    def connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    async def start(self) -> None:
        self._nc = await connect(self.servers, "croupier-gateway")
        self._task = asyncio.get_running_loop().create_task(self._run(), name="ledger-client")

    async def close(self) -> None:
        tasks = [t for t in (self._task, *self._sending) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        while self._queue:
            _fail(self._queue.popleft(), LedgerUnavailable("the gateway is shutting down"))
        nc, self._nc = self._nc, None
        if nc is not None:
            with contextlib.suppress(Exception):
                await nc.close()

    async def submit(self, commands: Sequence[Command]) -> Applied:
        if self._task is None or self._task.done():
            raise LedgerUnavailable("the remote ledger client is not running")
        if len(self._queue) >= self.queue_groups_max:
            raise Busy("the ledger is busy: this gateway's queue is full, retry shortly")
        loop = asyncio.get_running_loop()
        waiting = _Waiting(
            encode_group(commands), loop.create_future(), time.monotonic() + self.deadline_s
        )
        self._queue.append(waiting)
        self._wake.set()
        return await waiting.future

    async def _run(self) -> None:
        while True:
            if not self._queue:
                self._wake.clear()
                await self._wake.wait()
            await self._in_flight.acquire()  # waiting here is what fills the next message
            taken = self._take()
            if not taken:
                self._in_flight.release()
                continue
            task = asyncio.get_running_loop().create_task(self._send(taken))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    def _take(self) -> list[_Waiting]:
        """The next message's groups: at most ``groups_per_message_max``, and no more bytes
        than an eighth of what the server takes in one message (a reply carries the results
        too: transfers, events with their data), but always one."""
        budget = (self._nc.max_payload if self._nc is not None else 1 << 20) // 8
        taken: list[_Waiting] = []
        size = 0
        queue = self._queue
        while queue and len(taken) < self.groups_per_message_max:
            size += len(queue[0].commands)
            if taken and size > budget:
                break
            taken.append(queue.popleft())
        return taken

    async def _send(self, taken: list[_Waiting]) -> None:
        """Send, and send again what got no final answer, until each group's deadline."""
        try:
            pending = taken
            while pending:
                outcomes = await self._attempt(pending)
                retry = []
                for item, outcome in zip(pending, outcomes, strict=True):
                    if outcome is None or isinstance(outcome, _RETRIED):
                        retry.append(item)
                    elif isinstance(outcome, CroupierError):
                        _fail(item, outcome)
                    elif not item.future.done():
                        item.future.set_result(outcome)
                now = time.monotonic()
                pending = [i for i in retry if i.deadline > now and not i.future.done()]
                for item in retry:
                    if item.deadline <= now:
                        _fail(item, _unavailable(self.deadline_s))
                if pending:
                    await asyncio.sleep(self.retry_wait_s)
        finally:
            # Whatever ended this (a bug, a cancellation), no caller waits for ever: a group
            # left unanswered may have been applied, which its retry with the same ids tells.
            for item in taken:
                _fail(item, _unavailable(self.deadline_s))
            self._in_flight.release()

    async def _attempt(self, items: list[_Waiting]) -> list[Outcome | None]:
        """One request; ``None`` for every group when no answer came, or none that this
        gateway can trust (not signed with its secret) or read."""
        nc = self._nc
        if nc is None:
            return [None] * len(items)
        timeout = min(self.attempt_timeout_s, max(i.deadline for i in items) - time.monotonic())
        self.messages_sent += 1
        self.groups_sent += len(items)
        payload = join_groups([item.commands for item in items])
        header, request_mac = auth.sign(self.secret, auth.REQUEST, payload)
        try:
            reply = await nc.request(
                self.subject, payload, timeout=max(0.05, timeout), headers={auth.HEADER: header}
            )
        except (nats.errors.Error, TimeoutError) as error:
            _log.info("no answer from a ledger writer (%s); retrying", type(error).__name__)
            return [None] * len(items)
        try:
            auth.verify(
                self.secret,
                auth.REPLY,
                (reply.headers or {}).get(auth.HEADER),
                reply.data,
                bound=request_mac,
            )
            return list(decode_outcomes(reply.data, len(items)))
        except auth.BadSignature as reason:
            _log.warning("ignored a ledger reply: %s; retrying", reason)
        except Exception as error:  # a reply that does not decode is no answer: retried
            _log.warning("ignored an unreadable ledger reply (%r); retrying", error)
        return [None] * len(items)


def _unavailable(deadline_s: float) -> LedgerUnavailable:
    return LedgerUnavailable(f"no ledger writer answered within {deadline_s:g} s; retry")


def _fail(item: _Waiting, error: CroupierError) -> None:
    if not item.future.done():
        item.future.set_exception(error)
