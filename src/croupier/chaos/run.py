"""One chaos run: the cluster up (or the one running in DIR), players ready, WebSocket players
following their streams and HTTP clients playing rounds through HAProxy; then each component
of :data:`~croupier.chaos.KILLS` killed in turn, the next only once the load has recovered
(polled, with a deadline); then the load stopped, the WebSocket players caught up with their
streams' heads, and the ledger audited on the surviving primary."""

from __future__ import annotations

import asyncio
import os
import secrets
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from croupier.chaos import KILLS, ChaosError
from croupier.chaos.audit import audit, stream_heads, wallet_mismatches
from croupier.chaos.bettors import Bettors
from croupier.chaos.timeline import KillFigures, Timeline
from croupier.chaos.watchers import Watchers
from croupier.loadtest.players import Player, PlayerSetup
from croupier.loadtest.procstat import raise_fd_limit
from croupier.loadtest.tokens import TokenCache

__all__ = ["Options", "run_chaos"]

BANKROLL = 2_000_000  # minor units per player: far more than a run's stakes
POLL_S = 0.2
SLOW_P99_FACTOR = 3.0  # an attempt is slow (bad) past this many times the baseline's p99
_SETUP_LIMITS = (
    "CROUPIER_REGISTRATIONS_PER_IP_PER_MINUTE",
    "CROUPIER_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE",
    # 256 WebSockets per address by default: once one gateway is killed, the survivor must
    # take every player, and they all come through HAProxy from 127.0.0.1.
    "CROUPIER_WS_CONNECTIONS_PER_ADDRESS_MAX",
)
Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Options:
    directory: Path
    players: int = 500
    http_clients: int = 16
    gateways: int = 2
    kills: tuple[str, ...] = KILLS
    warmup_s: float = 10.0
    #: each kill's phase lasts at least this long (figures need an after), at most the deadline
    phase_min_s: float = 5.0
    phase_deadline_s: float = 90.0
    slow_s: float = 1.0
    catch_up_s: float = 90.0


async def run_chaos(options: Options, progress: Progress) -> dict[str, Any]:
    raise_fd_limit()
    info = await asyncio.to_thread(_cluster, options, progress)
    context = ssl.create_default_context(cafile=info["ca_file"])
    players = await _players(options, info["url"], context, progress)
    timeline = Timeline(options.slow_s)
    watchers = Watchers(info["url"], context, players)
    progress(f"{len(players)} WebSocket players subscribing")
    await watchers.start()
    bettors = Bettors(
        info["url"], context, players, options.http_clients, timeline, secrets.token_hex(4)
    )
    load = asyncio.create_task(bettors.run())
    try:
        baseline = await _baseline(options, timeline, load, progress)
        kill_times: list[tuple[str, float]] = []
        kills = []
        for name in options.kills:
            kill_times.append((name, time.monotonic()))
            kills.append(await _kill(options, name, timeline, baseline, watchers, progress))
        kill_times.append(("load stopped", time.monotonic()))
    finally:
        bettors.stop()
        await load
    progress(f"load stopped: {len(bettors.acknowledged):,} rounds acknowledged; catching up")
    try:
        heads = await stream_heads(info["database_url"], [p.player_id for p in players])
        caught_up = await _catch_up(options, heads, watchers)
    finally:
        watchers.stop()
        await watchers.wait_closed()
    progress("auditing the ledger on the surviving primary")
    checked = await audit(info["database_url"], bettors.acknowledged)
    wallets = await _wallets(info["url"], context, players)
    wrong_wallets = checked.wallet_mismatches + wallet_mismatches(checked.history, wallets)
    streams = _streams(watchers, caught_up) | _behind(watchers, heads, kill_times)
    survivors = await asyncio.to_thread(_survivors, options.directory)
    return {
        "command": _command(options),
        "players": len(players),
        "http_clients": options.http_clients,
        "baseline_rounds_per_s": round(baseline, 1),
        "slow_s": round(timeline.slow_s, 3),
        "kills": [k.as_dict() | extra for k, extra in kills],
        "rounds_acknowledged": checked.acknowledged,
        "rounds_lost": len(checked.missing),
        "rounds_applied_twice": len(checked.applied_twice),
        "lost_round_ids": checked.missing[:20],
        "twice_round_ids": checked.applied_twice[:20],
        "keys_retried": bettors.counts.retried_keys,
        "keys_abandoned": bettors.counts.abandoned_keys,
        "attempt_errors": dict(sorted(bettors.counts.errors.items())),
        "wallets_checked": checked.wallets,
        "wallet_mismatches": wrong_wallets[:20],
        "wallets_ok": not wrong_wallets,
        "ledger_verify_ok": checked.verify_ok,
        "ledger_verify": {
            k: checked.verify.get(k)
            for k in ("ok", "batches", "transfers", "head", "problems_total", "problems")
        },
        **streams,
        "survivors": survivors,
        "ok": checked.ok and not wrong_wallets and streams["streams_ok"],
    }


def _cluster(options: Options, progress: Progress) -> dict[str, Any]:
    """The cluster in DIR, started when none runs there; every kill's target must exist."""
    from croupier.cluster import status
    from croupier.cluster import up as cluster_up
    from croupier.cluster.layout import Layout

    try:
        layout = Layout.load(options.directory)
        down = [n for n in layout.ports if status.role(layout, n) in {"down", "not running"}]
        running = len(down) < len(layout.ports)
    except FileNotFoundError:
        running, down = False, []
    if running and down:
        raise ChaosError(
            f"the cluster in {options.directory} runs without {', '.join(down)} (an earlier "
            "chaos run?): a run needs every component; `croupier cluster down --dir "
            f"{options.directory}`, then run again"
        )
    if running:
        progress(f"using the cluster running in {options.directory}")
    else:
        progress(f"bringing a cluster up in {options.directory}")
        # The players all come from this one address: the gateways (which inherit this
        # environment) must let them register, log in and connect without the limits
        # meant for one real client address.
        for limit in _SETUP_LIMITS:
            os.environ.setdefault(limit, "10000")
        layout = cluster_up.up(options.directory, options.gateways, progress)
    if layout.croupier_mode != "roles":
        raise ChaosError("the cluster runs one all-in-one server: no writer to fail over")
    for name in options.kills:
        status.resolve(layout, name)
    return status.describe(layout)


async def _players(
    options: Options, url: str, context: ssl.SSLContext, progress: Progress
) -> list[Player]:
    progress(f"getting {options.players} players ready (register, log in, deposit)")
    async with httpx.AsyncClient(base_url=url, verify=context, timeout=60) as http:
        setup = PlayerSetup(
            http,
            TokenCache(options.directory / "chaos-tokens.json", url),
            token_valid_for_s=3_600,
        )
        return await setup.ready(dict.fromkeys(range(options.players), BANKROLL))


async def _baseline(
    options: Options, timeline: Timeline, load: asyncio.Task[None], progress: Progress
) -> float:
    progress(f"warming up for {options.warmup_s:.0f} s (baseline throughput)")
    started = time.monotonic()
    await asyncio.wait({load}, timeout=options.warmup_s)  # the load runs until stopped
    if load.done():
        load.result()  # raises what stopped it
    since, now = started + min(1.0, options.warmup_s / 4), time.monotonic()
    baseline = timeline.rate(since, now)
    if baseline <= 0:
        raise ChaosError("no round was acknowledged while warming up: is the cluster healthy?")
    timeline.slow_s = max(options.slow_s, SLOW_P99_FACTOR * timeline.p99_s(since, now))
    progress(f"baseline {baseline:,.1f} rounds/s; an attempt over {timeline.slow_s:.2f} s is bad")
    return baseline


async def _kill(
    options: Options,
    name: str,
    timeline: Timeline,
    baseline: float,
    watchers: Watchers,
    progress: Progress,
) -> tuple[KillFigures, dict[str, Any]]:
    from croupier.cluster import status
    from croupier.cluster.layout import Layout

    reconnects = watchers.reconnects()
    killed_at = time.monotonic()
    target, _ = await asyncio.to_thread(status.kill, Layout.load(options.directory), name)
    progress(f"killed {name} ({target}); waiting for recovery")
    deadline = killed_at + options.phase_deadline_s
    while time.monotonic() < deadline:
        now = time.monotonic()
        if now - killed_at >= options.phase_min_s and timeline.recovered(killed_at, baseline):
            break
        await asyncio.sleep(POLL_S)
    figures = timeline.figures(name, target, killed_at, time.monotonic(), baseline)
    progress(
        f"  {name}: {figures.errors} errors over {figures.error_window_s:.2f} s, "
        f"p99 {figures.p99_ms:.0f} ms, recovered in "
        + ("—" if figures.recovery_s is None else f"{figures.recovery_s:.2f} s")
    )
    return figures, {"ws_reconnects": watchers.reconnects() - reconnects}


async def _catch_up(options: Options, heads: dict[str, int], watchers: Watchers) -> bool:
    """Every WebSocket player reached its stream's head in the ledger (polled to a deadline)."""
    deadline = time.monotonic() + options.catch_up_s
    while time.monotonic() < deadline:
        if all(w.last_seq >= heads.get(w.player.player_id, 0) for w in watchers.watchers):
            return True
        await asyncio.sleep(POLL_S)
    return False


async def _wallets(
    url: str, context: ssl.SSLContext, players: Sequence[Player]
) -> dict[str, dict[str, Any]]:
    gate = asyncio.Semaphore(16)

    async def one(http: httpx.AsyncClient, player: Player) -> tuple[str, dict[str, Any]]:
        async with gate:
            answer = await http.get(
                "/v1/wallet", headers={"Authorization": f"Bearer {player.token}"}
            )
            answer.raise_for_status()
            return player.player_id, dict(answer.json())

    async with httpx.AsyncClient(base_url=url, verify=context, timeout=30) as http:
        return dict(await asyncio.gather(*(one(http, p) for p in players)))


def _streams(watchers: Watchers, caught_up: bool) -> dict[str, Any]:
    gaps = [(w.player.player_id, g) for w in watchers.watchers for g in w.gaps]
    duplicates = [(w.player.player_id, d) for w in watchers.watchers for d in w.duplicates]
    return {
        "ws_events": sum(w.events for w in watchers.watchers),
        "ws_reconnects": watchers.reconnects(),
        "ws_caught_up": caught_up,
        "stream_gaps": len(gaps),
        "stream_duplicates": len(duplicates),
        "stream_gap_examples": gaps[:10],
        "stream_duplicate_examples": duplicates[:10],
        "streams_ok": caught_up and not gaps and not duplicates,
    }


def _behind(
    watchers: Watchers, heads: dict[str, int], kill_times: list[tuple[str, float]]
) -> dict[str, Any]:
    """The WebSocket players short of their stream's head, and in which phase (after which
    kill) each received its last event: where a live stream stalled."""
    behind = [w for w in watchers.watchers if w.last_seq < heads.get(w.player.player_id, 0)]
    stalled_after: dict[str, int] = {}
    for watcher in behind:
        phase = "warm-up"
        for name, at in kill_times:
            if watcher.last_event_at >= at:
                phase = name
        stalled_after[phase] = stalled_after.get(phase, 0) + 1
    return {
        "ws_behind": len(behind),
        "ws_events_missing": sum(heads[w.player.player_id] - w.last_seq for w in behind),
        "ws_behind_last_event_after": stalled_after,
        "ws_behind_reconnected": sum(w.reconnects > 0 for w in behind),
        "ws_behind_connected": sum(w.connected for w in behind),
        "ws_behind_failed_attempts": sum(w.reconnect_failures for w in behind),
    }


def _survivors(directory: Path) -> dict[str, str]:
    from croupier.cluster import status
    from croupier.cluster.layout import Layout

    described = status.describe(Layout.load(directory))
    return {name: entry["role"] for name, entry in described["components"].items()}


def _command(options: Options) -> str:
    return (
        f"croupier chaos --dir {options.directory} --players {options.players} "
        f"--http-clients {options.http_clients} --warmup {options.warmup_s:g} "
        f"--phase-min {options.phase_min_s:g}"
    )
