"""A database that cannot be reached (a PostgreSQL failover under way) is a 503 with
Retry-After, which clients retry; any other unexpected error stays a 500."""

from __future__ import annotations

import socket

import asyncpg
import httpx
from fastapi import FastAPI

from croupier.adapters.storage.postgres.availability import POSTGRES_UNAVAILABLE
from croupier.api.http.problems import install_problem_handlers


def _closed_port() -> int:
    """A loopback port nothing listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app, unavailable=POSTGRES_UNAVAILABLE)
    port = _closed_port()

    @app.get("/reads")
    async def reads() -> None:
        await asyncpg.connect(host="127.0.0.1", port=port, user="x", database="x", timeout=5)

    @app.get("/breaks")
    async def breaks() -> None:
        raise RuntimeError("a bug")

    return app


async def _get(path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


async def test_a_database_that_cannot_be_reached_is_a_503_to_retry() -> None:
    answer = await _get("/reads")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    assert answer.json()["type"].endswith("/database-unavailable")


async def test_any_other_unexpected_error_stays_a_500() -> None:
    answer = await _get("/breaks")
    assert answer.status_code == 500
    assert "a bug" not in answer.text
