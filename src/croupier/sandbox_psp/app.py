"""The sandbox PSP app factory: a flavour's API, plus the test-only ``/_…`` routes.

Test-only routes (no authentication; a sandbox only):

- ``POST /_script``: queue a behaviour (:mod:`croupier.sandbox_psp.script`), or several as
  ``{"behaviours": [...]}``; ``POST /_script/clear`` forgets them; ``GET /_script`` lists them.
- ``POST /_settle`` ``{"reference", "outcome": "approved"|"declined", "reason"?}``: settle a
  pending payment now (and send its webhook).
- ``POST /_chargeback`` / ``POST /_refund`` ``{"reference", "amount_minor"?}``: the card
  holder's bank takes a settled charge back / the PSP's dashboard refunds it (default: all
  that is left). Both webhooks carry the *charge's* reference.
- ``GET /_events``: every event and its delivery (``in_flight`` counts those not done);
  ``POST /_resend`` ``{"event_id"}`` delivers one again.
- ``POST /_webhook_url`` ``{"url"}``: where webhooks go from now on (``null``: nowhere).
- ``GET /_payments/{reference}``: the sandbox's own record (with ``settled_at_ms``).
- ``GET /_health``: 200 once serving.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from croupier.sandbox_psp import alpha, beta
from croupier.sandbox_psp.book import Book, Status
from croupier.sandbox_psp.sandbox import AnswerLost, Sandbox, wall_clock_ms
from croupier.sandbox_psp.script import ScriptError, parse_behaviour
from croupier.sandbox_psp.webhooks import DeliveryPolicy, Dispatcher
from croupier.sandbox_psp.wire import BadRequest, read_json

__all__ = ["FLAVOURS", "SandboxSettings", "create_app"]

FLAVOURS = ("alpha", "beta")


@dataclass(frozen=True)
class SandboxSettings:
    flavour: str = "alpha"
    #: What the adapter must present (alpha: ``Authorization: Bearer``; beta: ``X-API-Key``).
    api_key: str = "sandbox-api-key"
    #: alpha: the HMAC-SHA256 secret of its webhook signatures.
    webhook_secret: str = "sandbox-webhook-secret"
    #: beta: the 32-byte seed of the Ed25519 key that signs its webhooks.
    signing_seed: bytes = field(default=b"\x01" * 32, repr=False)
    webhook_url: str | None = None
    delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    #: How long a ``hang`` holds its request at most (the server's stop ends it sooner).
    hang_max_ms: int = 60_000
    clock_ms: Callable[[], int] = wall_clock_ms

    def __post_init__(self) -> None:
        if self.flavour not in FLAVOURS:
            raise ValueError(f"flavour must be one of {FLAVOURS}, not {self.flavour!r}")
        if len(self.signing_seed) != 32:
            raise ValueError("signing_seed must be 32 bytes")

    def signing_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.signing_seed)


class _DropLostAnswers(logging.Filter):
    """Keeps the server's log free of the scripted dropped answers (they are not errors)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], AnswerLost))


def create_app(settings: SandboxSettings) -> Starlette:
    """A sandbox PSP of ``settings.flavour``, its state in memory."""
    book = Book(flavour=settings.flavour, clock_ms=settings.clock_ms)
    if settings.flavour == "alpha":
        render, flavour_routes = alpha.render_event, alpha.routes
        secret = settings.webhook_secret

        def sign(body: bytes, now_ms: int) -> Mapping[str, str]:
            return alpha.sign(secret, body, now_ms)
    else:
        render, flavour_routes = beta.render_event, beta.routes
        key = settings.signing_key()

        def sign(body: bytes, now_ms: int) -> Mapping[str, str]:
            return beta.sign(key, body, now_ms)

    dispatcher = Dispatcher(
        render, sign, settings.clock_ms, settings.delivery, settings.webhook_url
    )
    sandbox = Sandbox(book, dispatcher, settings.hang_max_ms)
    log_filter = _DropLostAnswers()

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        logging.getLogger("uvicorn.error").addFilter(log_filter)
        try:
            yield
        finally:
            sandbox.stopping.set()
            await dispatcher.aclose()
            logging.getLogger("uvicorn.error").removeFilter(log_filter)

    app = Starlette(
        routes=[*flavour_routes(sandbox, settings.api_key), *_test_routes(sandbox)],
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    return app


def _bad(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


def _test_routes(sandbox: Sandbox) -> list[Route]:
    async def script(request: Request) -> Response:
        try:
            body = await read_json(request)
            raw = body.get("behaviours", [body])
            behaviours = [parse_behaviour(item) for item in raw]
        except (BadRequest, ScriptError, TypeError, AttributeError) as error:
            return _bad(str(error))
        for behaviour in behaviours:
            sandbox.script.add(behaviour)
        return JSONResponse({"queued": len(behaviours)})

    async def script_list(_: Request) -> Response:
        return JSONResponse({"behaviours": [vars_of(b) for b in sandbox.script.pending()]})

    async def script_clear(_: Request) -> Response:
        sandbox.script.clear()
        return JSONResponse({"cleared": True})

    async def settle(request: Request) -> Response:
        body = await _json_or_none(request)
        outcome = body.get("outcome", "approved") if body else None
        if body is None or outcome not in {"approved", "declined"}:
            return _bad('send {"reference", "outcome": "approved" or "declined"}')
        settled = sandbox.settle(
            str(body.get("reference")), Status(outcome), str(body.get("reason", ""))
        )
        return JSONResponse({"settled": settled}, status_code=200 if settled else 409)

    def adjusting(kind: str) -> Any:
        async def endpoint(request: Request) -> Response:
            body = await _json_or_none(request)
            amount = body.get("amount_minor") if body else None
            if body is None or not (amount is None or type(amount) is int):
                return _bad('send {"reference", "amount_minor"?}')
            try:
                event = sandbox.adjust(kind, str(body.get("reference")), amount)
            except ValueError as error:
                return JSONResponse({"error": str(error)}, status_code=409)
            return JSONResponse({"event_id": event.event_id, "provider_ref": event.provider_ref})

        return endpoint

    async def events(_: Request) -> Response:
        records = [record.as_json() for record in sandbox.dispatcher.records.values()]
        return JSONResponse({"in_flight": sandbox.dispatcher.in_flight(), "events": records})

    async def resend(request: Request) -> Response:
        body = await _json_or_none(request)
        found = body is not None and sandbox.dispatcher.resend(str(body.get("event_id")))
        return JSONResponse({"resent": found}, status_code=200 if found else 404)

    async def webhook_url(request: Request) -> Response:
        body = await _json_or_none(request)
        if body is None or not (body.get("url") is None or isinstance(body.get("url"), str)):
            return _bad('send {"url": "http://…" or null}')
        sandbox.dispatcher.url = body.get("url")
        return JSONResponse({"url": sandbox.dispatcher.url})

    async def payment(request: Request) -> Response:
        found = sandbox.book.find(request.path_params["reference"])
        if found is None:
            return JSONResponse({"error": "no such reference"}, status_code=404)
        return JSONResponse(
            {
                "reference": found.order.reference,
                "operation": str(found.order.operation),
                "amount_minor": found.order.amount_minor,
                "currency": found.order.currency,
                "status": str(found.status),
                "provider_ref": found.provider_ref,
                "settled_at_ms": found.settled_at_ms,
                "refunded_minor": found.refunded_minor,
                "charged_back_minor": found.charged_back_minor,
                "card_last4": found.order.card_last4,
            }
        )

    async def health(_: Request) -> Response:
        return JSONResponse({"ok": True})

    return [
        Route("/_script", script, methods=["POST"]),
        Route("/_script", script_list, methods=["GET"]),
        Route("/_script/clear", script_clear, methods=["POST"]),
        Route("/_settle", settle, methods=["POST"]),
        Route("/_chargeback", adjusting("chargeback"), methods=["POST"]),
        Route("/_refund", adjusting("refund"), methods=["POST"]),
        Route("/_events", events, methods=["GET"]),
        Route("/_resend", resend, methods=["POST"]),
        Route("/_webhook_url", webhook_url, methods=["POST"]),
        Route("/_payments/{reference:path}", payment, methods=["GET"]),
        Route("/_health", health, methods=["GET"]),
    ]


async def _json_or_none(request: Request) -> Mapping[str, Any] | None:
    try:
        return await read_json(request)
    except BadRequest:
        return None


def vars_of(behaviour: object) -> dict[str, Any]:
    from dataclasses import asdict

    raw = asdict(behaviour)  # type: ignore[call-overload]
    return {k: sorted(v) if isinstance(v, frozenset) else v for k, v in raw.items()}
