"""The writer's side: answer ledger requests from NATS with the local group-commit writer.

It subscribes in a queue group, so when two writers are subscribed at once (an instant of
a take-over) a request still reaches only one; the standby does not subscribe at all until
it holds the lease. Each message's groups go to the writer together and land in the same
batch or the next; the reply leaves after they committed. A writer that has stopped (its
lease was taken over, a commit failed) answers nothing, and leaves the queue group as soon
as it sees it is not alive: the gateway retries, with the same ids, on whichever writer is
active then. Requests and replies are signed (``auth``): an unsigned, badly signed or stale
request is refused, ``ledger-auth-refused``, and nothing of it applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import urllib.parse
from collections.abc import Awaitable, Callable, Sequence

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from croupier.adapters.ledger_rpc import auth
from croupier.adapters.ledger_rpc.codec import (
    Outcome,
    decode_groups,
    encode_outcomes,
)
from croupier.domain.errors import Busy, CroupierError, LedgerAuthRefused
from croupier.domain.ledger import Applied, Command

__all__ = ["LedgerResponder", "nats_servers", "submit_subject"]

_log = logging.getLogger("croupier.ledger.rpc")
_QUEUE_GROUP = "croupier-writers"
_CONNECT_TIMEOUT_S = 5


def nats_servers(stream_url: str) -> list[str]:
    """The servers of ``CROUPIER_STREAM_URL`` (``nats://a:4222,nats://b:4222?prefix=…``)."""
    address, _, _ = stream_url.partition("?")
    return [server.strip() for server in address.split(",") if server.strip()]


def submit_subject(stream_url: str) -> str:
    """``<prefix>.ledger.submit``: the prefix of ``CROUPIER_STREAM_URL`` (default croupier)."""
    _, _, query = stream_url.partition("?")
    prefix = dict(urllib.parse.parse_qsl(query)).get("prefix", "croupier")
    return f"{prefix}.ledger.submit"


async def connect(servers: list[str], name: str) -> Client:
    """Fail fast when NATS is down at start; once connected, reconnect for ever."""
    nc = await nats.connect(
        servers,
        name=name,
        connect_timeout=_CONNECT_TIMEOUT_S,
        max_reconnect_attempts=1,
        reconnect_time_wait=0.5,
    )
    nc.options["max_reconnect_attempts"] = -1
    return nc


class LedgerResponder:
    def __init__(
        self,
        servers: list[str],
        subject: str,
        submit: Callable[[Sequence[Command]], Awaitable[Applied]],
        alive: Callable[[], bool],
        *,
        secret: bytes,
        requests_in_flight_max: int = 10_000,
        alive_poll_s: float = 0.05,
    ) -> None:
        self.servers = servers
        self.subject = subject
        self.submit = submit
        self.alive = alive
        self.secret = secret
        self.requests_in_flight_max = requests_in_flight_max
        self.alive_poll_s = alive_poll_s
        self._nc: Client | None = None
        self._subscription: Subscription | None = None
        self._watch: asyncio.Task[None] | None = None
        self._look = asyncio.Event()  # set: look at ``alive`` now
        self._replays = auth.Replays()
        self._handling: set[asyncio.Task[None]] = set()

    @property
    def subscribed(self) -> bool:
        return self._subscription is not None

    async def start(self) -> None:
        self._nc = await connect(self.servers, "croupier-writer")
        await self._follow_alive()
        self._watch = asyncio.get_running_loop().create_task(self._watch_alive())

    async def _watch_alive(self) -> None:
        """A writer that is not alive (stopped, fenced, unsure of its lease) leaves the queue
        group at once, so gateways' requests go to the writer that answers, not into a
        silence each of them waits out; it joins again if it comes back."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._look.wait(), self.alive_poll_s)
            self._look.clear()
            try:
                await self._follow_alive()
            except Exception as error:  # NATS away for a moment: the next poll tries again
                _log.warning("following the writer's state on NATS failed: %s", error)

    async def _follow_alive(self) -> None:
        nc, alive = self._nc, self.alive()
        if nc is None or alive == (self._subscription is not None):
            return
        if alive:
            self._subscription = await nc.subscribe(
                self.subject, queue=_QUEUE_GROUP, cb=self._received
            )
            _log.info("answering ledger requests on %s", self.subject)
        else:
            subscription, self._subscription = self._subscription, None
            assert subscription is not None
            await subscription.unsubscribe()
            _log.warning("not answering ledger requests: this writer is not alive")
        await nc.flush(timeout=_CONNECT_TIMEOUT_S)  # the server knows before we go on

    async def close(self, *, answer_within_s: float = 10.0) -> None:
        """Stop taking requests; those in hand are answered first (within a bound: the
        writer finishes them, and a gateway that hears nothing retries)."""
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.cancel()
            await asyncio.gather(watch, return_exceptions=True)
        nc, subscription, self._nc, self._subscription = self._nc, self._subscription, None, None
        if nc is None:
            return
        if subscription is not None:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()
        if self._handling:
            await asyncio.wait(set(self._handling), timeout=answer_within_s)
        with contextlib.suppress(Exception):
            await nc.flush(timeout=1)
        with contextlib.suppress(Exception):
            await nc.close()

    async def _received(self, message: Msg) -> None:
        if not self.alive():
            # Leave now, not at the next poll; not from here, though: unsubscribing cancels
            # the task that runs this callback.
            self._look.set()
            return
        try:
            request_mac = auth.verify(
                self.secret, auth.REQUEST, (message.headers or {}).get(auth.HEADER), message.data
            )
            if not self._replays.first(request_mac):
                raise auth.BadSignature("a replay of a request already taken")
        except auth.BadSignature as reason:
            _log.warning("refused a ledger request on %s: %s", message.subject, reason)
            refusal = LedgerAuthRefused("the ledger writer could not authenticate the request")
            header = (message.headers or {}).get(auth.HEADER) or ""
            await self._respond(message, encode_outcomes([refusal]), header.partition(":")[2])
            return
        # nats-py runs a subscription's callbacks one after the other: hand each message to
        # a task of its own, or one request would wait for the commit of the one before.
        if len(self._handling) >= self.requests_in_flight_max:
            busy = Busy("the ledger writer has too many requests in flight; retry")
            await self._respond(message, encode_outcomes([busy]), request_mac)
            return
        task = asyncio.get_running_loop().create_task(self._answer(message, request_mac))
        self._handling.add(task)
        task.add_done_callback(self._handling.discard)

    async def _answer(self, message: Msg, request_mac: str) -> None:
        try:
            groups = decode_groups(message.data)
        except CroupierError as error:
            await self._respond(message, encode_outcomes([error]), request_mac)
            return
        outcomes = await asyncio.gather(*(self._one(group) for group in groups))
        if not self.alive():
            # Stopped, or not sure of its lease (a process that was paused): say nothing,
            # not even a refusal, which it may have made from state another writer has
            # moved on from. The gateway retries on the active writer, with the same ids.
            return
        await self._respond(message, encode_outcomes(outcomes), request_mac)

    async def _one(self, group: list[Command] | CroupierError) -> Outcome:
        if isinstance(group, CroupierError):
            return group
        try:
            return await self.submit(group)
        except CroupierError as refusal:
            return refusal

    async def _respond(self, message: Msg, payload: bytes, request_mac: str) -> None:
        """A signed reply, bound to its request (``Msg.respond`` would echo the request's
        headers instead)."""
        nc = self._nc
        if nc is None or not message.reply:
            return
        header, _ = auth.sign(self.secret, auth.REPLY, payload, bound=request_mac)
        try:
            await nc.publish(message.reply, payload, headers={auth.HEADER: header})
        except Exception:  # the gateway retries after its deadline: the ids make that safe
            _log.warning("answering a ledger request failed")
