"""A Redis key space of one's own for a test: a unique key prefix on the local server (or
``CROUPIER_TEST_REDIS_URL``), every key under it deleted afterwards."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator

import pytest

from tests.conftest import service_unavailable

REDIS_URL = os.environ.get("CROUPIER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
STEP_TIMEOUT_S = 20.0


async def delete_prefixed(prefix: str) -> None:
    import redis.asyncio as redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=1000)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


#: ``CROUPIER_STATE_SECRET`` of the tests' gateways (the pseudonyms' key).
STATE_SECRET = "0123456789abcdef" * 4


@pytest.fixture
async def redis_state_url() -> AsyncIterator[str]:
    """``redis://…?prefix=…`` for ``CROUPIER_STATE_URL``; its keys deleted after the test."""
    import redis.asyncio as redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=STEP_TIMEOUT_S)
    try:
        await asyncio.wait_for(client.ping(), STEP_TIMEOUT_S)
    except Exception as error:
        service_unavailable(f"Redis unreachable at {REDIS_URL}: {error}")
    finally:
        await client.aclose()
    prefix = f"croupier-t-{secrets.token_hex(4)}"
    try:
        yield f"{REDIS_URL}?prefix={prefix}"
    finally:
        await asyncio.wait_for(delete_prefixed(prefix), STEP_TIMEOUT_S)
