"""Response headers every route should have without each route remembering them."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HSTS", "HeadLikeGet", "NoStore", "SecurityHeaders"]


class NoStore:
    """``Cache-Control: no-store`` on every answer but the documentation's.

    Tokens, balances, seeds and rounds must never sit in a shared or browser cache, and a
    rule with a short list of exceptions cannot miss the next route that carries them (the
    public catalogue and jackpots change with every round anyway). A route that sets its
    own ``Cache-Control`` keeps it.
    """

    def __init__(self, app: ASGIApp, cacheable_prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.cacheable_prefixes = cacheable_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.cacheable_prefixes):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_no_store)


class HeadLikeGet:
    """HEAD is answered as GET without the body (RFC 9110 §9.3.2) wherever GET is allowed.

    FastAPI's routes accept only the methods they declare, so HEAD got 405 everywhere. The
    request goes on as a GET in a copy of the scope: the server still sees HEAD and writes
    no body, and the headers (Content-Length included) are the GET's. A 405's ``Allow``
    names HEAD next to GET. Outermost, so the metrics count a HEAD as the GET it served.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"

        async def send_as_head(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                _allow_head(MutableHeaders(scope=message))
            elif message["type"] == "http.response.body" and head:
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"} if head else scope, receive, send_as_head)


def _allow_head(headers: MutableHeaders) -> None:
    allowed = [method.strip() for method in headers.get("Allow", "").split(",") if method]
    if "GET" in allowed and "HEAD" not in allowed:
        headers["Allow"] = ", ".join([*allowed, "HEAD"])


#: Two years, subdomains included: what the HSTS preload list asks of a site.
HSTS = "max-age=63072000; includeSubDomains"
#: The API answers JSON, never a page: nothing may load from it, nothing may frame it.
_API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
#: Swagger UI and ReDoc: their scripts, styles and icon come from this server
#: (``/docs/assets``), each page starts its bundle with an inline script, Swagger UI styles
#: inline and draws data: images, ReDoc runs a worker from a blob.
_DOCUMENTATION_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline';"
    " img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none';"
    " base-uri 'none'; form-action 'self'"
)


class SecurityHeaders:
    """The headers that tell a browser to hold the API to the least it needs, on every
    answer that does not set its own.

    ``Strict-Transport-Security`` only on an answer that went over TLS (``https`` in the
    scope: this port's own TLS, or a trusted proxy's ``X-Forwarded-Proto``): over plain HTTP
    it would be ignored, and it would wrongly pin a host served without TLS. The
    documentation pages get a policy that lets Swagger UI and ReDoc run from this server.
    """

    def __init__(self, app: ASGIApp, documentation_prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.documentation_prefixes = documentation_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        documentation = scope["path"].startswith(self.documentation_prefixes)
        policy = _DOCUMENTATION_CSP if documentation else _API_CSP
        tls = scope.get("scheme") == "https"

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("Content-Security-Policy", policy)
                if tls:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_secured)
