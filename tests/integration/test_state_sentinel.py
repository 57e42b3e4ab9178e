"""Shared state through Redis Sentinel, on real processes the test starts on free loopback
ports (a primary, its replica, one sentinel) and stops after: ``redis+sentinel://`` finds
the primary, and after a failover the same client follows the new one, with the lock-out
the old primary held (replicated before the failover) still in force."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from croupier.adapters.state.connection import connect_state
from croupier.adapters.state.login_limiter import RedisLoginLimiter
from croupier.domain.errors import Unavailable
from croupier.services.accounts import AccountLimits, TooManyAttempts
from tests.conftest import service_unavailable
from tests.support.redis import STATE_SECRET
from tests.support.server import free_port

pytestmark = pytest.mark.timeout(120)

MASTER = "croupier-t"
WAIT_S = 60.0  # a budget for a process or a failover, not a delay


def _until(check: object, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except redis.exceptions.RedisError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{what} within {WAIT_S} s")


@pytest.fixture
def sentinel(tmp_path: Path) -> Iterator[tuple[int, int, int]]:
    """(primary, replica, sentinel) ports; every process stopped afterwards."""
    server = shutil.which("redis-server")
    if server is None:
        service_unavailable("redis-server is not installed")
    assert server is not None
    primary, replica, watcher = free_port(), free_port(), free_port()
    processes: list[subprocess.Popen[bytes]] = []

    def start(*args: str, name: str) -> None:
        with (tmp_path / f"{name}.log").open("wb") as log:  # the child keeps its own copy
            processes.append(
                subprocess.Popen([server, *args], stdout=log, stderr=log, cwd=tmp_path)
            )

    common = ("--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
    try:
        start("--port", str(primary), *common, name="primary")
        start(
            "--port",
            str(replica),
            *common,
            "--replicaof",
            "127.0.0.1",
            str(primary),
            name="replica",
        )
        conf = tmp_path / "sentinel.conf"  # Sentinel rewrites its own file
        conf.write_text(
            f"port {watcher}\nbind 127.0.0.1\n"
            f"sentinel monitor {MASTER} 127.0.0.1 {primary} 1\n"
            f"sentinel down-after-milliseconds {MASTER} 1000\n"
            f"sentinel failover-timeout {MASTER} 10000\n"
        )
        start(str(conf), "--sentinel", name="sentinel")
        with redis.Redis(port=replica) as replica_client:
            _until(
                lambda: replica_client.info("replication")["master_link_status"] == "up",
                "the replica syncs",
            )
        with redis.Redis(port=watcher) as watcher_client:
            _until(
                lambda: len(watcher_client.sentinel_slaves(MASTER)) == 1,
                "the sentinel sees the replica",
            )
        yield primary, replica, watcher
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def test_a_sentinel_url_follows_a_failover_and_keeps_the_state(
    sentinel: tuple[int, int, int],
) -> None:
    primary, replica, watcher = sentinel
    state = connect_state(f"redis+sentinel://127.0.0.1:{watcher}/{MASTER}?prefix=t")
    limiter = RedisLoginLimiter(
        state, AccountLimits(login_failures_max=2, lockout_s=600), STATE_SECRET.encode()
    )
    now = time.time()
    try:
        for _ in range(2):
            await limiter.admit(ip="192.0.2.1", account="ada", now_s=now)
            await limiter.record_failure(ip="192.0.2.1", account="ada", now_s=now)
        with redis.Redis(port=primary) as primary_client:
            assert primary_client.wait(1, 5000) == 1  # the replica has it all
        with pytest.raises(TooManyAttempts):
            await limiter.admit(ip="192.0.2.1", account="ada", now_s=now)

        with redis.Redis(port=watcher) as watcher_client:
            _until(  # NOGOODSLAVE until the sentinel has seen the replica for a while
                lambda: watcher_client.execute_command("SENTINEL", "FAILOVER", MASTER),
                "the sentinel accepts a failover",
            )
            _until(
                lambda: int(watcher_client.sentinel_get_master_addr_by_name(MASTER)[1]) == replica,
                "the replica is promoted",
            )
        deadline = time.monotonic() + WAIT_S
        while True:  # commands in flight during the switch fail (503), never pass
            try:
                await limiter.admit(ip="192.0.2.2", account="bo", now_s=now)  # a write
                break
            except Unavailable:
                assert time.monotonic() < deadline, "the client never found the new primary"
                await asyncio.sleep(0.05)
        with pytest.raises(TooManyAttempts):  # the lock-out survived the failover
            await limiter.admit(ip="192.0.2.1", account="ada", now_s=now)
    finally:
        await state.close()
