"""``croupier cluster up`` for real: every engine from Debian's packages on loopback, HAProxy
terminating TLS 1.3, a player registered and a round played through it (HTTP, and the
player's events over WebSocket through the NATS cluster, whose stream has 3 replicas), a
gateway killed while the URL keeps serving, and ``down`` leaving no process behind.

Marked ``cluster`` (``pytest -m cluster``); it runs in ``make test`` under
``CROUPIER_REQUIRE_SERVICES=1`` (as root, ``up`` installs the packages it needs) and is
skipped otherwise when the packages are missing and cannot be installed.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from croupier.cluster import packages, processes
from tests.conftest import service_unavailable, services_required
from tests.e2e.test_wallet_flow import _register_and_login
from tests.support.ws import Client

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(600)]


def _croupier(*args: str, timeout_s: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "croupier", "cluster", *args],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def _status(directory: Path) -> dict[str, Any]:
    done = _croupier("status", "--dir", str(directory), "--json", timeout_s=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _every_pid(status: dict[str, Any]) -> list[int]:
    pids = []
    for entry in status["components"].values():
        pids += [pid for pid in (entry["pid"], entry.get("postmaster_pid")) if pid]
    return pids


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[Path, dict[str, Any]]]:
    missing = packages.missing()
    if missing and not services_required():
        pytest.skip(
            f"cluster packages missing: {missing} (`croupier cluster up` as root adds them)"
        )
    if missing and os.geteuid() != 0:
        service_unavailable(f"cluster packages missing: {missing}; as root, `up` installs them")
    # Not pytest's tmp_path: its parents are 0700, and PostgreSQL runs as `postgres`.
    base = Path(tempfile.mkdtemp(prefix="croupier-cluster-"))
    base.chmod(0o755)
    directory = base / "cluster"
    pids: list[int] = []
    try:
        up = _croupier("up", "--dir", str(directory), "--json", timeout_s=480)
        assert up.returncode == 0, up.stderr
        info = json.loads(up.stdout)
        pids = _every_pid(info)
        yield directory, info
    finally:
        if (directory / "cluster.json").exists():
            pids = sorted(set(pids) | set(_every_pid(_status(directory))))
            down = _croupier("down", "--dir", str(directory), timeout_s=240)
            assert down.returncode == 0, down.stderr
            assert processes.any_alive(pids) == [], "down left processes behind"
            assert processes.processes_mentioning(f"{directory}/") == []
        shutil.rmtree(base, ignore_errors=True)


def _tls(info: dict[str, Any], *, maximum: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=info["ca_file"])
    if maximum is not None:
        context.maximum_version = maximum
    return context


def _negotiated(info: dict[str, Any], context: ssl.SSLContext) -> str | None:
    port = int(info["url"].rsplit(":", 1)[1])
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        return tls.version()


def _play(client: httpx.Client, auth: dict[str, str], key: str) -> None:
    spin = client.post(
        "/v1/games/lotus-20/rounds",
        json={"stake": 100},
        headers={**auth, "Idempotency-Key": key},
    )
    assert spin.status_code == 201, spin.text
    assert spin.json()["status"] == "settled"


def _database_facts(database_url: str) -> tuple[bool, str, str]:
    async def facts() -> tuple[bool, str, str]:
        import asyncpg

        connection = await asyncpg.connect(database_url, timeout=10)
        try:
            return (
                await connection.fetchval("SELECT pg_is_in_recovery()"),
                await connection.fetchval("SHOW synchronous_commit"),
                await connection.fetchval("SHOW synchronous_standby_names"),
            )
        finally:
            await connection.close()

    return asyncio.run(facts())


def _stream_replicas(info: dict[str, Any]) -> int:
    monitor = info["components"]["nats-1"]["ports"]["monitor"]
    reply = httpx.get(f"http://127.0.0.1:{monitor}/jsz?streams=true&config=true", timeout=5)
    streams = [s for a in reply.json()["account_details"] for s in a.get("stream_detail", [])]
    (events,) = [s for s in streams if s["name"] == "CROUPIER_EVENTS"]
    return int(events["config"]["num_replicas"])


def test_a_cluster_serves_over_tls_13(cluster: tuple[Path, dict[str, Any]]) -> None:
    _, info = cluster
    assert _negotiated(info, _tls(info)) == "TLSv1.3"
    with pytest.raises(ssl.SSLError):  # HAProxy refuses anything older
        _negotiated(info, _tls(info, maximum=ssl.TLSVersion.TLSv1_2))

    in_recovery, synchronous_commit, standby_names = _database_facts(info["database_url"])
    assert not in_recovery and synchronous_commit == "on" and standby_names
    roles = {name: entry["role"] for name, entry in info["components"].items()}
    assert sorted(roles[n] for n in ("postgres-1", "postgres-2")) == ["primary", "sync-standby"]
    assert sorted(roles[n] for n in ("redis-1", "redis-2")) == ["primary", "replica"]

    with httpx.Client(base_url=info["url"], verify=_tls(info), timeout=30) as client:
        auth = _register_and_login(client, "cluster@example.com")
        deposit = client.post(
            "/v1/wallet/deposits",
            json={"amount": 10_000},
            headers={**auth, "Idempotency-Key": "deposit-cluster"},
        )
        assert deposit.status_code == 201, deposit.text
        _play(client, auth, "spin-cluster-1")
    # WebSocket through HAProxy (wss): the player's events, relayed through the NATS cluster
    events = asyncio.run(_player_events(info, auth))
    assert events and all(event["seq"] > 0 for event in events)
    assert _stream_replicas(info) == 3
    asyncio.run(_open_stream(info["stream_url"], replicas=1))  # a process asking for fewer …
    assert _stream_replicas(info) == 3  # … never shrinks it


async def _player_events(info: dict[str, Any], auth: dict[str, str]) -> list[dict[str, Any]]:
    from websockets.asyncio.client import connect

    url = info["url"].replace("https://", "wss://") + "/v1/ws"
    async with connect(url, ssl=_tls(info), additional_headers=auth) as connection:
        client = Client(connection)
        try:
            await client.request({"type": "subscribe", "channel": "player", "after_seq": 0})
            return await client.wait_events(1, timeout=30)
        finally:
            client._reader.cancel()


async def _open_stream(url: str, replicas: int) -> None:
    from croupier.adapters.stream.nats import JetStreamStream

    stream = JetStreamStream(url, num_replicas=replicas)
    await stream.start()
    await stream.close()


def test_a_second_up_in_a_running_clusters_dir_is_refused(
    cluster: tuple[Path, dict[str, Any]],
) -> None:
    directory, _ = cluster
    again = _croupier("up", "--dir", str(directory), timeout_s=120)
    assert again.returncode == 1
    assert f"a cluster is running in {directory}" in again.stderr
    assert all(
        entry["pid"] is None or entry["alive"]
        for entry in _status(directory)["components"].values()
    )


def test_the_url_survives_a_gateway_kill(cluster: tuple[Path, dict[str, Any]]) -> None:
    directory, info = cluster
    if info["croupier_mode"] == "all-in-one":
        assert info["components"]["gateway-1"]["role"] == "all-in-one (fallback)"
        pytest.skip("the installed Croupier has no `writer` role yet: one all-in-one server")
    with httpx.Client(base_url=info["url"], verify=_tls(info), timeout=30) as client:
        auth = _register_and_login(client, "gateways@example.com")
        deposit = client.post(
            "/v1/wallet/deposits",
            json={"amount": 10_000},
            headers={**auth, "Idempotency-Key": "deposit-gateways"},
        )
        assert deposit.status_code == 201, deposit.text
    killed = _croupier("kill", "gateway-1", "--dir", str(directory), timeout_s=60)
    assert killed.returncode == 0, killed.stderr
    assert _status(directory)["components"]["gateway-1"]["role"] == "down"
    # New connections every time: HAProxy must route each one around the dead gateway.
    for i in range(10):
        with httpx.Client(base_url=info["url"], verify=_tls(info), timeout=30) as client:
            assert client.get("/readyz").status_code == 200
            _play(client, auth, f"spin-after-{i:04d}")
