"""A NATS JetStream address of one's own for a test: a unique stream name and subject prefix
on the local server, and the stream deleted afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any

import pytest

from tests.conftest import service_unavailable

NATS_URL = os.environ.get("CROUPIER_TEST_NATS_URL", "nats://127.0.0.1:4222")
#: A budget for one step against the NATS server, generous for a loaded CI machine: an
#: unreachable server is refused at once whatever this is; a slow one gets time.
STEP_TIMEOUT_S = 20.0


async def teardown_steps(*steps: Awaitable[object]) -> None:
    """Run every teardown step, each within ``STEP_TIMEOUT_S``, even when an earlier one
    fails, then raise the first failure (a stream that could not be deleted is a leak)."""
    failures: list[BaseException] = []
    for step in steps:
        try:
            await asyncio.wait_for(step, STEP_TIMEOUT_S)
        except Exception as error:
            failures.append(error)
    if failures:
        raise failures[0]


@pytest.fixture
async def nats_stream_url() -> AsyncIterator[str]:
    """``nats://…?stream=…&prefix=…`` for ``CROUPIER_STREAM_URL``; deleted after the test."""
    import nats
    from nats.js.errors import NotFoundError

    try:
        client = await nats.connect(
            NATS_URL,
            connect_timeout=STEP_TIMEOUT_S,
            max_reconnect_attempts=1,
            reconnect_time_wait=0.1,
        )
    except Exception as error:
        service_unavailable(f"NATS unreachable at {NATS_URL}: {error}")
    suffix = secrets.token_hex(4)
    name = f"CROUPIER_T_{suffix.upper()}"
    try:
        yield f"{NATS_URL}?stream={name}&prefix=croupier-t-{suffix}"
    finally:

        async def delete() -> None:
            with contextlib.suppress(NotFoundError):
                await client.jetstream(timeout=STEP_TIMEOUT_S).delete_stream(name)

        await teardown_steps(delete(), client.close())


@contextlib.contextmanager
def stream_for_module() -> Iterator[str]:
    """:func:`nats_stream_url` for a module's shared server (a module-scoped fixture has no
    event loop of the test's): the same unique names, the stream deleted afterwards."""
    import nats
    from nats.js.errors import NotFoundError

    async def connect() -> Any:
        return await nats.connect(
            NATS_URL, connect_timeout=STEP_TIMEOUT_S, max_reconnect_attempts=1
        )

    try:
        asyncio.run(asyncio.wait_for(_close_after(connect()), STEP_TIMEOUT_S))
    except Exception as error:
        service_unavailable(f"NATS unreachable at {NATS_URL}: {error}")
    suffix = secrets.token_hex(4)
    name = f"CROUPIER_T_{suffix.upper()}"
    try:
        yield f"{NATS_URL}?stream={name}&prefix=croupier-t-{suffix}"
    finally:

        async def delete() -> None:
            client = await connect()
            try:
                with contextlib.suppress(NotFoundError):
                    await client.jetstream(timeout=STEP_TIMEOUT_S).delete_stream(name)
            finally:
                await client.close()

        asyncio.run(asyncio.wait_for(delete(), 2 * STEP_TIMEOUT_S))


async def _close_after(connecting: Awaitable[Any]) -> None:
    client = await connecting
    await client.close()
