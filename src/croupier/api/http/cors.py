"""Cross-origin calls from the operator's own web pages, and from no one else's.

Only the origins in ``CROUPIER_CORS_ORIGINS`` (exact, checked in ``croupier.config``) get
``Access-Control-Allow-Origin``; any other origin's request is served as before but its
page cannot read the answer, and its preflight gets no permission. Credentials are allowed
(the bearer token rides in ``Authorization``), which is why ``*`` is never one of them.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from croupier.api.http.problems import problem_response

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
        _ProblemCORS,
        allow_origins=list(origins),
        allow_credentials=True,
        allow_methods=list(_METHODS),
        allow_headers=list(_REQUEST_HEADERS),
        expose_headers=list(_RESPONSE_HEADERS),
        max_age=_PREFLIGHT_MAX_AGE_S,
    )


class _ProblemCORS(CORSMiddleware):
    """Starlette's, with a refused preflight answered as every other refusal: problem+json."""

    def preflight_response(self, request_headers: Headers) -> Response:
        answer = super().preflight_response(request_headers)
        if answer.status_code != 400:
            return answer
        # Starlette's text names what was refused: "Disallowed CORS origin, headers".
        refused = bytes(answer.body).decode().removeprefix("Disallowed CORS ")
        kept = {
            name: value
            for name, value in answer.headers.items()
            if name not in ("content-length", "content-type")
        }
        return problem_response(
            400,
            "cors-refused",
            "Cross-origin request refused",
            f"not allowed for this page: {refused}",
            headers=kept,
        )
