"""Sandbox PSPs on loopback for tests: start one, script it, point its webhooks somewhere.

Usage (any async test)::

    from tests.support.psp import running_psp, running_inbox

    async with running_inbox() as inbox, running_psp("alpha", webhook_url=inbox.url) as psp:
        provider = psp.provider(currencies="EUR")        # a real PaymentProvider adapter
        await psp.script("lose_answer")                  # the next request: applied, answer lost
        answer = await provider.charge(request)          # -> Outcome.UNKNOWN
        (await provider.status(request.reference)).outcome  # -> Outcome.APPROVED
        deliveries = await inbox.wait_for(1)             # the charge.succeeded webhook
        event = provider.verify_webhook(deliveries[0].headers, deliveries[0].body, now_ms)

- :func:`running_psp` (async) / :func:`psp_server` (sync) start a sandbox of either flavour
  (``"alpha"``: HMAC-SHA256 webhooks; ``"beta"``: Ed25519) with uvicorn in a thread of its
  own on a free loopback port, wait until it serves (``ready_timeout_s``), and stop it after.
  Keyword arguments go to :class:`~croupier.sandbox_psp.SandboxSettings` (``webhook_url``,
  ``delivery=DeliveryPolicy(...)``, ``clock_ms``, ``hang_max_ms``, ...).
- :class:`SandboxPsp` scripts it (``script``, ``clear_script``, ``settle``, ``chargeback``,
  ``dashboard_refund``, ``set_webhook_url``), reads it (``payment``, ``events``,
  ``wait_deliveries``: until no webhook is in flight) and gives its adapter (``provider``,
  ``provider_url``: the URL-ish configuration string) and a valid signature (``sign``).
- :func:`running_inbox` is a webhook receiver that records each delivery (``wait_for``) and
  can answer 500 to the next ones (``fail_next``) to exercise the PSP's retries.

Every wait has its own timeout; no test needs a fixed sleep.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from croupier.adapters.payments.provider_url import provider_from_url
from croupier.sandbox_psp import SandboxSettings, create_app
from croupier.sandbox_psp import alpha as alpha_flavour
from croupier.sandbox_psp import beta as beta_flavour
from croupier.services.payments.ports import PaymentProvider

__all__ = [
    "Delivery",
    "SandboxPsp",
    "ThreadedServer",
    "WebhookInbox",
    "psp_server",
    "running_inbox",
    "running_psp",
]

#: Test-side calls to the sandbox's ``/_`` routes.
_CONTROL_TIMEOUT_S = 10.0


class ThreadedServer:
    """uvicorn serving ``app`` on a free loopback port, in a thread and event loop of its own
    (so a test that blocks its own loop cannot stall the server, and the other way round)."""

    def __init__(self, app: Any, *, before_stop: Callable[[], None] | None = None) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            http="h11",
            ws="none",
            lifespan="on",
            timeout_graceful_shutdown=5,
        )
        self._server = uvicorn.Server(config)
        self._before_stop = before_stop
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name=f"psp {self.url}", daemon=True)

    def _run(self) -> None:
        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            await self._server.serve(sockets=[self._socket])

        asyncio.run(serve())

    def start(self, ready_timeout_s: float = 10.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + ready_timeout_s
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"the server at {self.url} stopped before it served")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the server at {self.url} did not serve in {ready_timeout_s} s")
            time.sleep(0.01)

    def stop(self, timeout_s: float = 15.0) -> None:
        if self._loop is not None and self._before_stop is not None:
            self._loop.call_soon_threadsafe(self._before_stop)
        self._server.should_exit = True
        self._thread.join(timeout_s)
        self._socket.close()
        if self._thread.is_alive():
            raise TimeoutError(f"the server at {self.url} did not stop in {timeout_s} s")


@dataclass
class SandboxPsp:
    """A running sandbox PSP and the handles a test needs."""

    flavour: str
    url: str
    settings: SandboxSettings

    def provider_url(self, **params: str | int) -> str:
        """The adapter's URL-ish configuration (``name``, ``currencies``, ``timeout_ms``, …)."""
        secret: dict[str, str] = (
            {"secret": self.settings.webhook_secret}
            if self.flavour == "alpha"
            else {"public_key": self.public_key_b64()}
        )
        query = httpx.QueryParams({"key": self.settings.api_key, **secret, **params})
        return f"{self.flavour}+{self.url}?{query}"

    def provider(self, **params: str | int) -> PaymentProvider:
        """A fresh adapter for this sandbox (``timeout_ms`` defaults to 2000 here)."""
        params.setdefault("timeout_ms", 2_000)
        return provider_from_url(self.provider_url(**params))

    def public_key_b64(self) -> str:
        import base64

        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        raw = self.settings.signing_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode()

    def sign(self, body: bytes, now_ms: int) -> dict[str, str]:
        """The headers this sandbox would sign ``body`` with at ``now_ms``."""
        if self.flavour == "alpha":
            return alpha_flavour.sign(self.settings.webhook_secret, body, now_ms)
        return beta_flavour.sign(self.settings.signing_key(), body, now_ms)

    async def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        async with httpx.AsyncClient(timeout=_CONTROL_TIMEOUT_S, trust_env=False) as client:
            response = await client.request(method, self.url + path, json=body)
        if response.status_code == 404 and path.startswith("/_payments/"):
            return None
        response.raise_for_status()
        return response.json()

    async def script(self, action: str, **params: Any) -> None:
        """Queue one behaviour (see croupier.sandbox_psp.script), e.g.
        ``script("hang", reference="p-1")`` or ``script("error", times=None)``."""
        await self._call("POST", "/_script", {"action": action, **params})

    async def clear_script(self) -> None:
        await self._call("POST", "/_script/clear", {})

    async def settle(self, reference: str, outcome: str = "approved") -> None:
        await self._call("POST", "/_settle", {"reference": reference, "outcome": outcome})

    async def chargeback(self, reference: str, amount_minor: int | None = None) -> str:
        """Take a settled charge back; the chargeback's event id."""
        body = {"reference": reference, "amount_minor": amount_minor}
        return str((await self._call("POST", "/_chargeback", body))["event_id"])

    async def dashboard_refund(self, reference: str, amount_minor: int | None = None) -> str:
        body = {"reference": reference, "amount_minor": amount_minor}
        return str((await self._call("POST", "/_refund", body))["event_id"])

    async def set_webhook_url(self, url: str | None) -> None:
        await self._call("POST", "/_webhook_url", {"url": url})

    async def payment(self, reference: str) -> dict[str, Any] | None:
        """The sandbox's own record of ``reference`` (None if it never received it)."""
        found = await self._call("GET", f"/_payments/{quote(reference, safe='')}")
        return dict(found) if found is not None else None

    async def events(self) -> list[dict[str, Any]]:
        return list((await self._call("GET", "/_events"))["events"])

    async def wait_deliveries(self, timeout_s: float = 10.0) -> list[dict[str, Any]]:
        """Every event's delivery record, once none is queued, held or being sent."""
        deadline = time.monotonic() + timeout_s
        while True:
            answer = await self._call("GET", "/_events")
            if answer["in_flight"] == 0:
                return list(answer["events"])
            if time.monotonic() > deadline:
                raise TimeoutError(f"{answer['in_flight']} webhooks still in flight")
            await asyncio.sleep(0.02)


@contextmanager
def psp_server(flavour: str = "alpha", **settings: Any) -> Iterator[SandboxPsp]:
    """A sandbox PSP for a synchronous test (see the module's docstring)."""
    chosen = SandboxSettings(flavour=flavour, **settings)
    app = create_app(chosen)
    sandbox = app.state.sandbox
    server = ThreadedServer(app, before_stop=sandbox.stopping.set)
    server.start()
    try:
        yield SandboxPsp(flavour, server.url, chosen)
    finally:
        server.stop()


@asynccontextmanager
async def running_psp(flavour: str = "alpha", **settings: Any) -> AsyncIterator[SandboxPsp]:
    """A sandbox PSP for an async test (see the module's docstring)."""
    chosen = SandboxSettings(flavour=flavour, **settings)
    app = create_app(chosen)
    server = ThreadedServer(app, before_stop=app.state.sandbox.stopping.set)
    await asyncio.to_thread(server.start)
    try:
        yield SandboxPsp(flavour, server.url, chosen)
    finally:
        await asyncio.to_thread(server.stop)


@dataclass(frozen=True)
class Delivery:
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookInbox:
    """A webhook receiver on loopback that keeps what it is sent."""

    url: str = ""
    received: list[Delivery] = field(default_factory=list)
    _failures_left: int = 0
    _failure_status: int = 500
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, count: int, status_code: int = 500) -> None:
        """Answer ``status_code`` (not recorded) to the next ``count`` deliveries."""
        with self._lock:
            self._failures_left, self._failure_status = count, status_code

    def _receive(self, delivery: Delivery) -> int:
        with self._lock:
            if self._failures_left > 0:
                self._failures_left -= 1
                return self._failure_status
            self.received.append(delivery)
            return 200

    async def wait_for(self, count: int, timeout_s: float = 10.0) -> list[Delivery]:
        """The deliveries so far, once there are at least ``count``."""
        deadline = time.monotonic() + timeout_s
        while True:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
                have = len(self.received)
            if time.monotonic() > deadline:
                raise TimeoutError(f"{have} webhook deliveries, not {count}, in {timeout_s} s")
            await asyncio.sleep(0.02)


@asynccontextmanager
async def running_inbox() -> AsyncIterator[WebhookInbox]:
    inbox = WebhookInbox()

    async def receive(request: Request) -> Response:
        delivery = Delivery(dict(request.headers), await request.body())
        return Response(status_code=inbox._receive(delivery))

    server = ThreadedServer(Starlette(routes=[Route("/webhooks", receive, methods=["POST"])]))
    inbox.url = server.url + "/webhooks"
    await asyncio.to_thread(server.start)
    try:
        yield inbox
    finally:
        await asyncio.to_thread(server.stop)
