"""The writer's side: answer ledger requests from NATS with the local group-commit writer.

It subscribes in a queue group, so when two writers are subscribed at once (an instant of
a take-over) a request still reaches only one; the standby does not subscribe at all until
it holds the lease. Each message's groups go to the writer together and land in the same
batch or the next; the reply leaves after they committed. A writer that has stopped (its
lease was taken over, a commit failed) answers nothing: the gateway's deadline runs out and
it retries, with the same ids, on whichever writer is active then.
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

from croupier.adapters.ledger_rpc.codec import (
    Outcome,
    decode_groups,
    encode_outcomes,
)
from croupier.domain.errors import Busy, CroupierError
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
        requests_in_flight_max: int = 10_000,
    ) -> None:
        self.servers = servers
        self.subject = subject
        self.submit = submit
        self.alive = alive
        self.requests_in_flight_max = requests_in_flight_max
        self._nc: Client | None = None
        self._subscription: Subscription | None = None
        self._handling: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._nc = await connect(self.servers, "croupier-writer")
        self._subscription = await self._nc.subscribe(
            self.subject, queue=_QUEUE_GROUP, cb=self._received
        )

    async def close(self, *, answer_within_s: float = 10.0) -> None:
        """Stop taking requests; those in hand are answered first (within a bound: the
        writer finishes them, and a gateway that hears nothing retries)."""
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
        # nats-py runs a subscription's callbacks one after the other: hand each message to
        # a task of its own, or one request would wait for the commit of the one before.
        if len(self._handling) >= self.requests_in_flight_max:
            busy = Busy("the ledger writer has too many requests in flight; retry")
            await _respond(message, encode_outcomes([busy]), expected_groups=None)
            return
        task = asyncio.get_running_loop().create_task(self._answer(message))
        self._handling.add(task)
        task.add_done_callback(self._handling.discard)

    async def _answer(self, message: Msg) -> None:
        try:
            groups = decode_groups(message.data)
        except CroupierError as error:
            await _respond(message, encode_outcomes([error]), expected_groups=None)
            return
        outcomes = await asyncio.gather(*(self._one(group) for group in groups))
        if not self.alive():
            # Stopped, or not sure of its lease (a process that was paused): say nothing,
            # not even a refusal, which it may have made from state another writer has
            # moved on from. The gateway retries on the active writer, with the same ids.
            return
        await _respond(message, encode_outcomes(outcomes), expected_groups=len(groups))

    async def _one(self, group: list[Command] | CroupierError) -> Outcome:
        if isinstance(group, CroupierError):
            return group
        try:
            return await self.submit(group)
        except CroupierError as refusal:
            return refusal


async def _respond(message: Msg, payload: bytes, *, expected_groups: int | None) -> None:
    try:
        await message.respond(payload)
    except Exception:  # the gateway retries after its deadline: the ids make that safe
        _log.warning("answering a ledger request failed (%s groups)", expected_groups)
