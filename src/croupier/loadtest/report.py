"""The figures of a run as a few lines of text (``--json`` prints them as they are)."""

from __future__ import annotations

from typing import Any

__all__ = ["render"]

CAPPED_SHARE = 0.9  # a rate this close to the pacing cap was set by the client


def render(figures: dict[str, Any]) -> list[str]:
    mode = figures["mode"]
    render_mode = {"rounds": _rounds, "idle": _idle, "jackpots": _jackpots, "poker": _poker}
    lines = render_mode[mode](figures)
    return [*lines, _cpu(figures), _connect(figures), _setup(figures)]


def _rounds(f: dict[str, Any]) -> list[str]:
    rate = f" at {f['rate']:,.0f}/s" if f["loop"] == "open" else ""
    return [
        f"rounds: {f['loop']} loop{rate}, {f['players']:,} players, {f['game_id']} at stake "
        f"{f['stake']}, {f['seconds']:g} s",
        f"  rounds      {f['rounds']:,} in {f['elapsed_s']:.2f} s: {f['rounds_per_s']:,.1f} "
        f"rounds/s ({f['sent']:,} sent)",
        f"  round trip  {_percentiles(f)}",
        f"  errors      {_error_list(f)}",
        *_capped(f),
    ]


def _capped(f: dict[str, Any]) -> list[str]:
    if f["rounds_per_s"] < CAPPED_SHARE * f["rounds_per_s_cap"]:
        return []
    return [
        f"  note        at the client's cap ({f['rounds_per_s_cap']:,.0f} rounds/s: "
        "--connection-rate-max × players): add players to load the server more"
    ]


def _idle(f: dict[str, Any]) -> list[str]:
    dropped = sum(f["connections_dropped"].values())
    lines = [
        f"idle: {f['connections']:,} connections over {f['players']:,} players held "
        f"{f['seconds']:g} s; {dropped:,} dropped {_counts(f['connections_dropped'])}".rstrip(),
    ]
    if f["server_kib_per_connection"] is None:
        lines.append("  server RSS  unknown: give --server-pid PID (a server on this machine)")
    else:
        lines.append(
            f"  server RSS  {f['server_rss_kib_before']:,} KiB before, "
            f"{f['server_rss_kib_connected']:,} connected, {f['server_rss_kib_end']:,} at the end"
            f": {f['server_kib_per_connection']:,.2f} KiB per connection"
        )
    return lines


def _jackpots(f: dict[str, Any]) -> list[str]:
    spin = f["spin"]
    return [
        f"jackpots: {f['subscribers']:,} subscribers, one player spinning {f['spin_rate']:g}/s "
        f"for {f['seconds']:g} s ({f['game_id']} at stake {f['stake']})",
        f"  spins       {f['spins']:,} ({f['spins_ok']:,} played), round trip "
        f"p50 {spin['p50_ms']:.2f} ms, p99 {spin['p99_ms']:.2f} ms",
        f"  ticks       {f['ticks']:,} received of {f['ticks_expected']:,} expected "
        f"({f['ticks_missing']:,} missing, {f['ticks_coalesced']:,} coalesced)",
        f"  from ts     {_percentiles(f, 'from_ts_')}",
        f"  from spin   {_percentiles(f, 'from_spin_')}",
        f"  errors      {_error_list(f)}",
    ]


def _poker(f: dict[str, Any]) -> list[str]:
    cancelled = f", {f['hands_cancelled']:,} cancelled" if f["hands_cancelled"] else ""
    per_hand = f["server_cpu_ms_per_hand"]
    cpu = f" ({per_hand:,.1f} ms of server CPU per hand)" if per_hand is not None else ""
    return [
        f"poker: {f['tables']:,} tables × {f['seats_per_table']} bots, {f['seconds']:g} s",
        f"  hands       {f['hands']:,} in {f['elapsed_s']:.2f} s: {f['hands_per_s']:,.2f} "
        f"hands/s{cancelled}{cpu}",
        f"  actions     {f['actions']:,} ({f['actions_per_s']:,.1f}/s), {f['top_ups']:,} "
        f"top-ups, {f['turns_missed']:,} turns the table took",
        f"  action      {_percentiles(f)}  (table.act to its hand.acted)",
        f"  answer      {_percentiles(f['answer'])}  (table.act to table.state)",
        f"  errors      {_error_list(f)}",
    ]


def _percentiles(f: dict[str, Any], prefix: str = "") -> str:
    return "   ".join(
        f"{name} {f[f'{prefix}{name}_ms']:,.2f} ms" for name in ("p50", "p95", "p99", "max")
    )


def _counts(counts: dict[str, int]) -> str:
    return f"({', '.join(f'{code} {n:,}' for code, n in counts.items())})" if counts else ""


def _error_list(f: dict[str, Any]) -> str:
    if not f["errors_total"]:
        return "none"
    lost = f" — {f['connections_lost']:,} connections lost" if f["connections_lost"] else ""
    return f"{f['errors_total']:,} {_counts(f['errors'])}{lost}"


def _cpu(f: dict[str, Any]) -> str:
    server = f", server {f['server_cpu_pct']:.0f} %" if f["server_cpu_pct"] is not None else ""
    return f"  CPU         client {f['client_cpu_pct']:.0f} % of a core{server}"


def _connect(f: dict[str, Any]) -> str:
    c = f["connect"]
    return (
        f"  connect     {c['count']:,} connections, connect + auth p50 {c['p50_ms']:.1f} ms, "
        f"p99 {c['p99_ms']:.1f} ms, max {c['max_ms']:.1f} ms"
    )


def _setup(f: dict[str, Any]) -> str:
    s = f["setup"]
    waited = f", {s['retried']:,} answers 429/503 waited out" if s["retried"] else ""
    return (
        f"  players     ready in {s['seconds']:g} s: {s['registered']:,} registered, "
        f"{s['logged_in']:,} logged in, {s['reused']:,} reused, {s['funded']:,} topped up{waited}"
    )
