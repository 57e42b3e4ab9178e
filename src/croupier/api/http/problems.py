"""Errors as RFC 9457 ``application/problem+json``, mapped from domain errors in one place.

Every refusal the domain makes is a :class:`~croupier.domain.errors.CroupierError` with a
stable ``code``; this module decides its HTTP status. Anything unexpected is a 500 whose body
says nothing about the internals.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from croupier.api.http.auth import challenge
from croupier.api.http.routing import MalformedJson
from croupier.api.statuses import status_for
from croupier.domain import errors

__all__ = ["PROBLEMS", "PROBLEM_JSON", "install_problem_handlers", "problem_response", "status_for"]

PROBLEM_JSON = "application/problem+json"
_log = logging.getLogger("croupier.api")

_PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
}
#: The error responses every route may give, for the OpenAPI document.
PROBLEMS: dict[int | str, dict[str, object]] = {
    status: {"description": description, "content": {PROBLEM_JSON: {"schema": _PROBLEM_SCHEMA}}}
    for status, description in (
        (400, "Malformed request"),
        (401, "Not authenticated"),
        (403, "Forbidden (account-restricted, totp-required, forbidden, …)"),
        (404, "Not found"),
        (409, "Conflict (idempotency key reused, insufficient funds, …)"),
        (413, "Body too large"),
        (422, "Invalid input"),
        (429, "Too many attempts"),
        (503, "Busy or not ready; retry"),
    )
}


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": f"https://croupier.dev/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    headers = dict(headers or {})
    if "retry_after_s" in extra:
        headers["Retry-After"] = str(int(extra["retry_after_s"]))
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_problem_handlers(
    app: FastAPI, *, unavailable: tuple[type[BaseException], ...] = ()
) -> None:
    """``unavailable``: the storage's errors that mean the database is away for a moment
    (``bootstrap.unavailable_errors``): 503 ``database-unavailable`` with Retry-After."""

    @app.exception_handler(errors.CroupierError)
    async def domain_error(request: Request, error: errors.CroupierError) -> JSONResponse:
        status = status_for(error)
        extra: dict[str, Any] = {}
        retry_after = getattr(error, "retry_after_s", None)
        if retry_after is not None:
            extra["retry_after_s"] = retry_after
        elif status == 503:
            extra["retry_after_s"] = 1
        extra.update(getattr(error, "problem_extra", None) or {})  # e.g. a bonus forfeit's amount
        headers = {"WWW-Authenticate": challenge(request)} if status == 401 else None
        detail = str(error)
        if status >= 500:  # a broken invariant: said loudly in the log, never to the client
            _log.critical(
                "%s on %s %s", error.code, request.method, request.url.path, exc_info=error
            )
            detail = "an internal check failed; the operator has been alerted"
        return problem_response(status, error.code, _title(error), detail, headers=headers, **extra)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        # Where and why, never pydantic's "input": it may be a card number or a password
        # (tests/security/test_card_data_nowhere.py).
        problems = [
            {
                "field": ".".join(str(part) for part in item.get("loc", ())),
                "message": item.get("msg", ""),
            }
            for item in error.errors()
        ]
        if any(
            item.get("loc") == ("header", "Idempotency-Key") and item.get("type") == "missing"
            for item in error.errors()
        ):
            return problem_response(
                400,
                "idempotency-key-missing",
                "Idempotency key missing",
                "a money-moving request needs an Idempotency-Key header",
            )
        malformed = any(item.get("type") == "json_invalid" for item in error.errors())
        if malformed:
            return problem_response(
                400,
                "malformed-json",
                "Malformed JSON",
                "the request body is not valid JSON",
                errors=problems,
            )
        return problem_response(
            422,
            "invalid-request",
            "Invalid request",
            "the request does not match the schema",
            errors=problems,
        )

    @app.exception_handler(MalformedJson)
    async def malformed_json(request: Request, error: MalformedJson) -> JSONResponse:
        return problem_response(400, "malformed-json", "Malformed JSON", str(error.detail))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "not-found", 405: "method-not-allowed", 413: "body-too-large"}.get(
            error.status_code, "http-error"
        )
        return problem_response(
            error.status_code,
            code,
            str(error.detail),
            str(error.detail),
            headers=dict(error.headers or {}),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        if isinstance(error, unavailable):
            _log.warning(
                "database unavailable on %s %s: %r", request.method, request.url.path, error
            )
            return problem_response(
                503,
                "database-unavailable",
                "Database unavailable",
                "the database cannot be reached right now; retry",
                headers={"Cache-Control": "no-store"},
                retry_after_s=1,
            )
        _log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(  # outside the middleware (Starlette's own): say no-store here
            500,
            "internal-error",
            "Internal error",
            "the server failed to handle this request",
            headers={"Cache-Control": "no-store"},
        )


def _title(error: errors.CroupierError) -> str:
    return error.code.replace("-", " ").capitalize()
