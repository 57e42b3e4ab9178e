"""The event stream on a list of NATS servers (``nats://a,nats://b``, a cluster's): it
connects through whichever answers. (Replicas, created ×3 and never shrunk, are proven on a
real three-node cluster in tests/e2e/test_cluster.py.)"""

from __future__ import annotations

import urllib.parse

from croupier.adapters.stream.nats import JetStreamStream
from tests.support.nats import nats_stream_url  # noqa: F401  (a fixture)
from tests.support.server import free_port


def _parts(url: str) -> tuple[str, dict[str, str]]:
    address, _, query = url.partition("?")
    return address, dict(urllib.parse.parse_qsl(query))


async def test_a_server_list_with_a_dead_server_still_connects(nats_stream_url: str) -> None:  # noqa: F811
    address, options = _parts(nats_stream_url)
    dead = f"nats://127.0.0.1:{free_port()}"
    for servers in (f"{dead},{address}", f"{address},{dead}"):
        stream = JetStreamStream(
            servers, stream_name=options["stream"], subject_prefix=options["prefix"]
        )
        await stream.start()
        try:
            assert await stream.relayed_through() == 0  # the stream answers: connected
            assert "127.0.0.1" in stream._where() and "," in stream._where()
        finally:
            await stream.close()
