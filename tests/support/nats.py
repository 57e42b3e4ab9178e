"""A NATS JetStream address of one's own for a test: a unique stream name and subject prefix
on the local server, and the stream deleted afterwards."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import AsyncIterator

import pytest

from tests.conftest import service_unavailable

NATS_URL = os.environ.get("CROUPIER_TEST_NATS_URL", "nats://127.0.0.1:4222")


@pytest.fixture
async def nats_stream_url() -> AsyncIterator[str]:
    """``nats://…?stream=…&prefix=…`` for ``CROUPIER_STREAM_URL``; deleted after the test."""
    import nats
    from nats.js.errors import NotFoundError

    try:
        client = await nats.connect(
            NATS_URL, connect_timeout=3, max_reconnect_attempts=1, reconnect_time_wait=0.1
        )
    except Exception as error:
        service_unavailable(f"NATS unreachable at {NATS_URL}: {error}")
    suffix = secrets.token_hex(4)
    name = f"CROUPIER_T_{suffix.upper()}"
    try:
        yield f"{NATS_URL}?stream={name}&prefix=croupier-t-{suffix}"
    finally:
        with contextlib.suppress(NotFoundError):
            await client.jetstream().delete_stream(name)
        await client.close()
