"""The HTTP API (FastAPI): routes, RFC 9457 problem responses, limits and metrics."""

from croupier.api.http.app import create_app

__all__ = ["create_app"]
