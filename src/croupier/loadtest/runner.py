"""One load-test run: players ready over HTTP, connections open, the mode driven, figures
collected. The CLI prints the figures (text or JSON) and draws the histogram."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt

from croupier.loadtest import Mode
from croupier.loadtest.client import Connection, close_all, connect_all, ws_url
from croupier.loadtest.fanout import FanoutProbe
from croupier.loadtest.players import Player, PlayerSetup
from croupier.loadtest.poker import PokerDriver, PokerPlan, PokerTally, TableInfo, pick_tables
from croupier.loadtest.procstat import CpuWatch, check_pid, raise_fd_limit, rss_or_none
from croupier.loadtest.progress import ProgressBar
from croupier.loadtest.rounds import RoundsDriver, RoundsPlan
from croupier.loadtest.stats import Latencies, Tally
from croupier.loadtest.tokens import TokenCache

__all__ = ["Options", "Outcome", "run_loadtest"]

BANKROLL_STAKES = 2_000  # players who play are topped up to this many stakes before a run
TOKEN_MARGIN_S = 300  # a cached token must outlive the run by this much to be reused
SETTLE_S = 1.0  # after connecting: the server finishes what each accept set off
POKER_BUY_INS = 20  # poker: bots are topped up to this many maximum buy-ins
SPIN_RATE_DEFAULT = 2.0  # jackpots: spins/s, under the ticker's 4/s so no tick coalesces


@dataclass(frozen=True, slots=True)
class Options:
    url: str
    mode: Mode
    players: int
    seconds: float
    state_file: Path
    rate: float | None = None
    connections: int | None = None
    game_id: str = "lotus-20"
    stake: int = 1000
    server_pid: int | None = None
    connection_rate_max: float = 45.0
    tables: int = 2  # poker: tables played at, and bots at each
    seats: int = 4
    seed: int | None = None


@dataclass(slots=True)
class Outcome:
    figures: dict[str, Any]
    title: str
    series: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)


async def run_loadtest(options: Options, bar: ProgressBar) -> Outcome:
    if options.server_pid is not None:
        check_pid(options.server_pid)
    raise_fd_limit()
    if options.mode is Mode.ROUNDS:
        return await _rounds(options, bar)
    if options.mode is Mode.IDLE:
        return await _idle(options, bar)
    if options.mode is Mode.POKER:
        return await _poker(options, bar)
    return await _jackpots(options, bar)


async def _rounds(options: Options, bar: ProgressBar) -> Outcome:
    cash = dict.fromkeys(range(options.players), _bankroll(options))
    players, setup = await _ready(options, bar, cash)
    connect = Latencies()
    connections = await _connect(options, bar, [p.token for p in players], connect)
    tally = Tally()
    plan = RoundsPlan(
        options.seconds,
        options.game_id,
        options.stake,
        options.rate,
        options.connection_rate_max,
    )
    try:
        watch = CpuWatch(options.server_pid).start()

        def status() -> str:
            return f"{tally.ok:,} rounds, {tally.errors.total():,} errors"

        async with bar.timed("rounds", options.seconds, status):
            elapsed = await RoundsDriver(connections, plan, tally).run()
        cpu = watch.figures()
        lost = sum(c.lost is not None for c in connections)
    finally:
        await close_all(connections)
    loop = "closed" if options.rate is None else "open"
    rounds_per_s = tally.ok / elapsed if elapsed > 0 else 0.0
    summary = tally.latencies.summary().as_dict()
    del summary["count"]
    figures = {
        **_common(options, setup),
        "loop": loop,
        "rounds": tally.ok,
        "sent": tally.sent,
        "elapsed_s": round(elapsed, 3),
        "rounds_per_s": round(rounds_per_s, 1),
        # what --connection-rate-max lets the players send at most: a run near it measured
        # the client's pacing, not the server
        "rounds_per_s_cap": round(options.players * options.connection_rate_max, 1),
        **summary,
        **_errors(tally),
        "connections_lost": lost,
        "connect": connect.summary().as_dict(),
        **cpu,
    }
    title = (
        f"{options.players} players, {loop} loop"
        + (f" at {options.rate:,.0f}/s" if options.rate else "")
        + f": {rounds_per_s:,.0f} rounds/s"
    )
    return Outcome(figures, title, {"round trip": tally.latencies.milliseconds()})


async def _idle(options: Options, bar: ProgressBar) -> Outcome:
    players, setup = await _ready(options, bar, dict.fromkeys(range(options.players), 0))
    tokens = _spread(players, options.connections or options.players)
    pid = options.server_pid
    rss_before = rss_or_none(pid)
    connect = Latencies()
    connections = await _connect(options, bar, tokens, connect)
    try:
        await asyncio.sleep(SETTLE_S)
        rss_connected = rss_or_none(pid)
        watch = CpuWatch(pid).start()

        def status() -> str:
            return f"{sum(c.lost is None for c in connections):,} open"

        async with bar.timed("idle", options.seconds, status):
            await asyncio.sleep(options.seconds)
        rss_end = rss_or_none(pid)
        cpu = watch.figures()
        dropped = Counter(c.lost.error_code for c in connections if c.lost is not None)
    finally:
        await close_all(connections)
    per_connection = None
    if rss_before is not None and rss_connected is not None:
        per_connection = round((rss_connected - rss_before) / len(connections), 2)
    figures = {
        **_common(options, setup),
        "connections": len(connections),
        "connections_dropped": dict(sorted(dropped.items())),
        "server_rss_kib_before": rss_before,
        "server_rss_kib_connected": rss_connected,
        "server_rss_kib_end": rss_end,
        "server_kib_per_connection": per_connection,
        "connect": connect.summary().as_dict(),
        **cpu,
    }
    title = f"{len(connections):,} idle connections: connect + auth"
    return Outcome(figures, title, {"connect + auth": connect.milliseconds()})


async def _jackpots(options: Options, bar: ProgressBar) -> Outcome:
    cash = dict.fromkeys(range(options.players), 0) | {options.players: _bankroll(options)}
    everyone, setup = await _ready(options, bar, cash)
    subscribers, spinner = everyone[:-1], everyone[-1]
    probe = FanoutProbe(options.game_id, options.stake)
    tokens = _spread(subscribers, options.connections or options.players)
    connect = Latencies()
    connections = await _connect(options, bar, tokens, connect)
    try:
        for connection in connections:
            connection.on_event = probe.subscriber()
        subscribe = {"type": "subscribe", "request_id": "jackpots", "channel": "jackpots"}
        await asyncio.gather(*(c.request(subscribe, "subscribed") for c in connections))
        connections += await connect_all(ws_url(options.url), [spinner.token])
        await asyncio.sleep(SETTLE_S)  # the tick each subscription starts with
        rate = options.rate or SPIN_RATE_DEFAULT
        watch = CpuWatch(options.server_pid).start()

        def status() -> str:
            return f"{probe.spins:,} spins, {len(probe.from_ts):,} ticks in"

        async with bar.timed("spins", options.seconds, status):
            await probe.spin_for(connections[-1], options.seconds, rate)
        await asyncio.sleep(SETTLE_S)  # the last spin's ticks
        cpu = watch.figures()
        lost = sum(c.lost is not None for c in connections)
    finally:
        await close_all(connections)
    expected = probe.spin.ok * len(tokens)
    figures = {
        **_common(options, setup),
        "subscribers": len(tokens),
        "spin_rate": rate,
        "spins": probe.spins,
        "spins_ok": probe.spin.ok,
        "ticks": len(probe.from_ts),
        "ticks_expected": expected,
        "ticks_missing": max(0, expected - len(probe.from_ts)),
        "ticks_coalesced": probe.ticks_coalesced,
        **probe.from_ts.summary().as_dict("from_ts_"),
        **probe.from_spin.summary().as_dict("from_spin_"),
        "spin": probe.spin.latencies.summary().as_dict(),
        **_errors(probe.spin),
        "connections_lost": lost,
        "connect": connect.summary().as_dict(),
        **cpu,
    }
    title = f"jackpot ticks to {len(tokens):,} subscribers"
    series = {
        "from tick ts": probe.from_ts.milliseconds(),
        "from spin request": probe.from_spin.milliseconds(),
    }
    return Outcome(figures, title, series)


async def _poker(options: Options, bar: ProgressBar) -> Outcome:
    async with httpx.AsyncClient(base_url=options.url, timeout=60) as http:
        tables = await pick_tables(http, options.tables, options.seats)
    bots = options.tables * options.seats
    cash = dict.fromkeys(range(bots), _poker_bankroll(tables))
    players, setup = await _ready(options, bar, cash)
    connect = Latencies()
    connections = await _connect(options, bar, [p.token for p in players], connect)
    tally = PokerTally()
    plan = PokerPlan(
        options.seconds,
        options.tables,
        options.seats,
        options.connection_rate_max,
        seed=options.seed,
    )
    try:
        driver = PokerDriver(connections, tables, plan, tally)
        await driver.sit_down()
        watch = CpuWatch(options.server_pid).start()

        def status() -> str:
            return f"{tally.hands:,} hands, {tally.actions.errors.total():,} errors"

        async with bar.timed("hands", options.seconds, status):
            elapsed = await driver.run()
        cpu = watch.figures()
        for connection in connections:  # refusals without a request_id (rate limit)
            tally.actions.errors.update(connection.unmatched)
        lost = sum(c.lost is not None for c in connections)
    finally:
        await close_all(connections)
    hands_per_s = tally.hands / elapsed if elapsed > 0 else 0.0
    actions = tally.actions
    summary = actions.latencies.summary().as_dict()
    figures = {
        **_common(options, setup),
        "tables": options.tables,
        "seats_per_table": options.seats,
        "hands": tally.hands,
        "hands_cancelled": tally.hands_cancelled,
        "elapsed_s": round(elapsed, 3),
        "hands_per_s": round(hands_per_s, 2),
        "server_cpu_ms_per_hand": None,
        "actions": summary.pop("count"),
        "actions_per_s": round(actions.ok / elapsed, 1) if elapsed > 0 else 0.0,
        "sent": actions.sent,
        **summary,
        "answer": tally.answers.summary().as_dict(),
        "view": tally.views.summary().as_dict(),
        "turns_missed": tally.turns_missed,
        "top_ups": tally.top_ups,
        **_errors(actions),
        "connections_lost": lost,
        "connect": connect.summary().as_dict(),
        **cpu,
    }
    server_pct = cpu["server_cpu_pct"]
    if server_pct is not None and tally.hands:
        # CPU per hand: unlike hands/s, it hardly moves when other work shares the cores
        figures["server_cpu_ms_per_hand"] = round(server_pct * 10 * elapsed / tally.hands, 1)
    title = f"{options.tables} tables × {options.seats} bots: {hands_per_s:,.1f} hands/s"
    return Outcome(figures, title, {"action to its event": actions.latencies.milliseconds()})


def _poker_bankroll(tables: Sequence[TableInfo]) -> int:
    """Enough for a buy-in and the top-ups of a long run at the dearest table."""
    return POKER_BUY_INS * max(t.max_buy_in_minor for t in tables)


# -- shared steps --------------------------------------------------------------------------


def _bankroll(options: Options) -> int:
    return options.stake * BANKROLL_STAKES


async def _ready(
    options: Options, bar: ProgressBar, cash_wanted: dict[int, int]
) -> tuple[list[Player], dict[str, Any]]:
    """The players, registered, logged in or reused, each with the cash wanted."""
    started = time.perf_counter()

    def waiting(why: str, seconds: float) -> None:
        bar.note("wait", f"waiting {seconds:.0f} s: {why} (see docs/loadtest.md)")

    async with httpx.AsyncClient(base_url=options.url, timeout=60) as http:
        setup = PlayerSetup(
            http,
            TokenCache(options.state_file, options.url),
            token_valid_for_s=options.seconds + TOKEN_MARGIN_S,
            on_ready=bar.counter("players", len(cash_wanted)),
            on_wait=waiting,
        )
        players = await setup.ready(cash_wanted)
    counts = asdict(setup.counts) | {"seconds": round(time.perf_counter() - started, 2)}
    return players, counts


async def _connect(
    options: Options, bar: ProgressBar, tokens: Sequence[str], latencies: Latencies
) -> list[Connection]:
    advance = bar.counter("connections", len(tokens))

    def connected(nanoseconds: int) -> None:
        latencies.add(nanoseconds)
        advance()

    return await connect_all(ws_url(options.url), tokens, on_connected=connected)


def _spread(players: Sequence[Player], connections: int) -> list[str]:
    """``connections`` tokens, round-robin over the players."""
    return [players[i % len(players)].token for i in range(connections)]


def _common(options: Options, setup: dict[str, Any]) -> dict[str, Any]:
    return {
        "mode": options.mode.value,
        "url": options.url,
        "players": options.players,
        "seconds": options.seconds,
        "rate": options.rate,
        "game_id": options.game_id,
        "stake": options.stake,
        "setup": setup,
    }


def _errors(tally: Tally) -> dict[str, Any]:
    return {"errors": dict(sorted(tally.errors.items())), "errors_total": tally.errors.total()}
