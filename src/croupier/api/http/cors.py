"""Cross-origin calls from the operator's own web pages, and from no one else's.

Only the origins in ``CROUPIER_CORS_ORIGINS`` (exact, checked in ``croupier.config``) get
``Access-Control-Allow-Origin``; any other origin's request is served as before but its
page cannot read the answer, and its preflight gets no permission. Credentials are allowed
(the bearer token rides in ``Authorization``), which is why ``*`` is never one of them.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

__all__ = ["add_cors"]

#: What the API's routes answer to (HEAD as GET, ``headers.HeadLikeGet``).
_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE")
#: What a page sends beyond the CORS-safelisted headers: the token, JSON bodies, and the
#: key that makes a money-moving request safe to retry.
_REQUEST_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key")
#: What a page may read beyond the safelisted ones: when to retry (429, 503) and how to
#: authenticate (401).
_RESPONSE_HEADERS = ("Retry-After", "WWW-Authenticate")
#: How long a browser may keep a preflight's answer, s.
_PREFLIGHT_MAX_AGE_S = 600


def add_cors(app: FastAPI, origins: tuple[str, ...]) -> None:
    """Outermost: a preflight is answered before anything else sees it, and every answer,
    a refusal too, carries the headers its page needs to read it."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_credentials=True,
        allow_methods=list(_METHODS),
        allow_headers=list(_REQUEST_HEADERS),
        expose_headers=list(_RESPONSE_HEADERS),
        max_age=_PREFLIGHT_MAX_AGE_S,
    )
