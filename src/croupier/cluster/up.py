"""``croupier cluster up``: install, configure, start and wait, tier by tier.

Each tier's processes start together and each component's wait has its own deadline; a
component whose process exits stops the wait at once with its log's tail. On any failure the
processes started so far are stopped (``down``), so a failed ``up`` leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

from croupier.cluster import (
    croupier,
    down,
    etcd,
    haproxy,
    health,
    nats,
    packages,
    patroni,
    ports,
    processes,
    redis,
    tls,
)
from croupier.cluster.layout import STATE_FILE, Layout, port_needs
from croupier.cluster.processes import Spec

Progress = Callable[[str], None]


class ClusterError(RuntimeError):
    """``up`` cannot go on; the message says why and what to do."""


def up(directory: Path, gateways: int, progress: Progress) -> Layout:
    packages.ensure()
    directory = directory.resolve()
    _prepare(directory)
    mode, writer_health = croupier.detect_mode()
    layout = Layout(directory, gateways, ports.allocate(directory, port_needs(gateways)), mode)
    layout.save()
    try:
        _write_configs(layout)
        _start_engines(layout, progress)
        _create_database(layout)
        _start_croupier(layout, writer_health, progress)
    except BaseException:
        progress("up failed: stopping what was started")
        down.down(layout, progress)
        raise
    return layout


def _prepare(directory: Path) -> None:
    """A fresh cluster in ``directory``: refuse while one runs there, clear an old one."""
    if (directory / STATE_FILE).exists():
        old = Layout.load(directory)
        if processes.any_alive(old.pids.values()):
            raise ClusterError(f"a cluster is running in {directory}: `croupier cluster down` it")
        for name in [*old.ports, "logs", "run", "tls"]:
            shutil.rmtree(directory / name, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    # PostgreSQL runs as `postgres`: it must be able to reach its data directory.
    directory.chmod(directory.stat().st_mode | stat.S_IXOTH | stat.S_IROTH)
    for parent in directory.parents:
        if not parent.stat().st_mode & stat.S_IXOTH:
            raise ClusterError(
                f"{parent} is not searchable by other users, so the postgres user cannot reach"
                f" {directory}: pick another --dir, or `chmod o+x {parent}`"
            )


def _write_configs(layout: Layout) -> None:
    files: dict[str, str] = {}
    for name in layout.ports:
        kind = name.rsplit("-", 1)[0]
        if kind == "etcd":
            files |= etcd.files(layout, name)
        elif kind == "postgres":
            files |= patroni.files(layout, name)
        elif kind == "nats":
            files |= nats.files(layout, name)
        elif kind in {"redis", "sentinel"}:
            files |= redis.files(layout, name)
    files |= haproxy.files(layout)
    for relative, text in files.items():
        path = layout.dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    tls.write(layout.cert, layout.haproxy_pem)
    layout.make_secrets()
    for name in layout.names("postgres"):
        if os.geteuid() == 0:  # PostgreSQL runs as `postgres` then (else as ourselves)
            shutil.chown(layout.home(name), patroni.RUN_AS, patroni.RUN_AS)
        layout.home(name).chmod(0o700)
        (layout.home(name) / "patroni.yml").chmod(0o644)


def _launch(layout: Layout, spec: Spec) -> None:
    layout.pids[spec.name] = processes.start(spec, layout.log(spec.name), layout.pidfile(spec.name))
    layout.save()


def _running(layout: Layout, name: str) -> Callable[[], str | None]:
    def check() -> str | None:
        if processes.alive(layout.pids[name]):
            return None
        tail = layout.log(name).read_text(errors="replace")[-2000:]
        return f"{name} exited; the end of {layout.log(name)}:\n{tail}"

    return check


def _wait(
    layout: Layout, name: str, what: str, check: Callable[[], bool], timeout_s: float
) -> None:
    health.wait_until(f"{name}: {what}", check, timeout_s, still_running=_running(layout, name))


def _start_engines(layout: Layout, progress: Progress) -> None:
    progress("starting etcd ×3")
    for name in layout.names("etcd"):
        _launch(layout, etcd.spec(layout, name))
    for name in layout.names("etcd"):
        url = etcd.client_url(layout, name) + "/health"
        _wait(layout, name, "GET /health", functools.partial(health.http_ok, url), 60)
    progress("starting PostgreSQL (Patroni ×2), NATS ×3, Redis, HAProxy")
    for name in [*layout.names("postgres"), *layout.names("nats"), *layout.names("redis")]:
        kind = name.rsplit("-", 1)[0]
        module = {"postgres": patroni, "nats": nats, "redis": redis}[kind]
        _launch(layout, module.spec(layout, name))
    _launch(layout, haproxy.spec(layout))
    for name in layout.names("sentinel"):
        _launch(layout, redis.spec(layout, name))
    for name in layout.names("nats"):
        url = nats.health_url(layout, name)
        _wait(layout, name, "JetStream healthy", functools.partial(health.http_ok, url), 60)
    _wait_redis(layout)
    progress("waiting for a PostgreSQL primary and its synchronous standby")
    _wait_postgres(layout)


def _wait_redis(layout: Layout) -> None:
    primary, replica = layout.port("redis-1"), layout.port("redis-2")
    _wait(layout, "redis-1", "PING", lambda: health.redis_command(primary, "PING") == "PONG", 30)
    _wait(
        layout,
        "redis-2",
        "replicating",
        lambda: health.redis_info(replica, "replication").get("master_link_status") == "up",
        60,
    )
    for name in layout.names("sentinel"):
        port = layout.port(name)

        def sees_all(port: int = port) -> bool:
            info = health.redis_info(port, "sentinel")
            return f"sentinels={len(layout.names('sentinel'))}" in info.get("master0", "")

        _wait(layout, name, "every Sentinel known", sees_all, 60)


def _wait_postgres(layout: Layout) -> None:
    nodes = layout.names("postgres")

    def some(path: str) -> bool:
        return any(health.http_ok(patroni.rest_url(layout, node, path)) for node in nodes)

    def all_running() -> str | None:
        for node in nodes:
            if (reason := _running(layout, node)()) is not None:
                return reason
        return None

    health.wait_until(
        "PostgreSQL primary", lambda: some("/primary"), 180, still_running=all_running
    )
    health.wait_until(
        "PostgreSQL synchronous standby", lambda: some("/sync"), 180, still_running=all_running
    )


def _create_database(layout: Layout) -> None:
    """The ``croupier`` database, through HAProxy's write port (which reaches the primary
    once HAProxy's check has seen it: a wait of its own)."""

    async def create() -> bool:
        import asyncpg

        admin = layout.database_url.rsplit("/", 1)[0] + "/postgres"
        connection = await asyncpg.connect(admin, timeout=2)
        try:
            if await connection.fetchval("SELECT pg_is_in_recovery()"):
                return False
            if not await connection.fetchval(
                "SELECT 1 FROM pg_database WHERE datname = 'croupier'"
            ):
                await connection.execute("CREATE DATABASE croupier")
            return True
        finally:
            await connection.close()

    def check() -> bool:
        try:
            return asyncio.run(create())
        except Exception as error:  # asyncpg's errors are not OSErrors
            raise ValueError(str(error)) from error

    _wait(layout, "haproxy", "the write port reaches the primary", check, 60)


def _start_croupier(layout: Layout, writer_health: bool, progress: Progress) -> None:
    writers, gateways = croupier.names_to_start(layout)
    progress(f"starting Croupier ({layout.croupier_mode}): {', '.join(writers + gateways)}")
    for name in writers:
        _launch(layout, croupier.writer_spec(layout, name, writer_health))
    if writers and writer_health:

        def one_active() -> bool:
            urls = (croupier.writer_health_url(layout, name) for name in writers)
            return any(health.http_ok(url) for url in urls)

        health.wait_until("an active writer", one_active, 90)
    for name in gateways:
        _launch(layout, croupier.gateway_spec(layout, name))
    for name in gateways:
        url = f"http://127.0.0.1:{layout.port(name)}/readyz"
        _wait(layout, name, "GET /readyz", functools.partial(health.http_ok, url), 90)
    _wait(
        layout,
        "haproxy",
        f"GET {layout.url}/readyz over TLS",
        lambda: health.http_ok(f"{layout.url}/readyz", cafile=layout.cert),
        30,
    )
