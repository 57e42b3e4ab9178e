"""Run a sandbox PSP on its own: ``python -m croupier.sandbox_psp --flavour alpha``.

Prints the adapter's provider URL (the configuration string) on its first line, then serves
until interrupted.
"""

from __future__ import annotations

import argparse
import base64
import secrets
import socket
from urllib.parse import urlencode

import uvicorn
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from croupier.sandbox_psp.app import FLAVOURS, SandboxSettings, create_app


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m croupier.sandbox_psp",
        description=(
            "A sandbox payment service provider for tests and demos: state in memory, "
            "scriptable through POST /_script (docs/payments.md, 'Sandbox providers'). "
            "Prints the provider URL to configure Croupier with, then serves."
        ),
    )
    parser.add_argument(
        "--flavour",
        choices=FLAVOURS,
        default="alpha",
        help="alpha: Stripe-like, HMAC-SHA256 webhooks; beta: Adyen-like, "
        "Ed25519 webhooks (default: alpha)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: a free one)")
    parser.add_argument(
        "--webhook-url",
        default=None,
        help="where to POST webhooks (default: nowhere; POST /_webhook_url)",
    )
    parser.add_argument("--api-key", default=None, help="the API key (default: a random one)")
    parser.add_argument(
        "--webhook-secret", default=None, help="alpha's webhook HMAC secret (default: a random one)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    arguments = _arguments(argv)
    settings = SandboxSettings(
        flavour=arguments.flavour,
        api_key=arguments.api_key or secrets.token_urlsafe(18),
        webhook_secret=arguments.webhook_secret or secrets.token_urlsafe(24),
        signing_seed=secrets.token_bytes(32),
        webhook_url=arguments.webhook_url,
    )
    listener = socket.socket()
    listener.bind((arguments.host, arguments.port))
    host, port = listener.getsockname()[:2]
    query = {"key": settings.api_key}
    if settings.flavour == "alpha":
        query["secret"] = settings.webhook_secret
    else:
        public = settings.signing_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        query["public_key"] = base64.b64encode(public).decode()
    print(f"{settings.flavour}+http://{host}:{port}?{urlencode(query)}", flush=True)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings),
            access_log=False,
            http="h11",
            ws="none",
            log_level="warning",
            # Hung requests (the "hang" script) must not hold a stop for a minute.
            timeout_graceful_shutdown=2,
        )
    )
    server.run(sockets=[listener])


if __name__ == "__main__":
    main()
