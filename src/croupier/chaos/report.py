"""A chaos run's figures as plain text: one row per kill, then the end checks."""

from __future__ import annotations

from typing import Any

__all__ = ["render"]


def _seconds(value: float | None) -> str:
    return "not recovered" if value is None else f"{value:.2f} s"


def render(result: dict[str, Any]) -> str:
    lines = [
        f"$ {result['command']}",
        f"{result['players']} WebSocket players, {result['http_clients']} HTTP clients, "
        f"baseline {result['baseline_rounds_per_s']:,.1f} rounds/s; an attempt failed or over "
        f"{result['slow_s']:.2f} s is an error",
        "",
        f"{'killed':18} {'which':12} {'errors':>7} {'error window':>13} {'p99':>10} "
        f"{'errors stop':>12} {'recovery':>14} {'ws reconnects':>14}",
    ]
    for kill in result["kills"]:
        lines.append(
            f"{kill['component']:18} {kill['target']:12} {kill['errors']:>7} "
            f"{kill['error_window_s']:>11.2f} s {kill['p99_ms']:>7.0f} ms "
            f"{kill.get('errors_stopped_s', 0):>10.2f} s {_seconds(kill['recovery_s']):>14} "
            f"{kill['ws_reconnects']:>14}"
        )
    verify = result["ledger_verify"]
    checks = [
        ("acknowledged rounds", f"{result['rounds_acknowledged']:,}"),
        ("lost", str(result["rounds_lost"])),
        ("applied twice", str(result["rounds_applied_twice"])),
        ("keys retried (same key)", f"{result['keys_retried']:,}"),
        (
            "wallet = history",
            f"{'yes' if result['wallets_ok'] else 'NO'} ({result['wallets_checked']} wallets)",
        ),
        (
            "ledger verify",
            f"{'OK' if result['ledger_verify_ok'] else 'BROKEN'} (head {verify.get('head')})",
        ),
        ("ws events", f"{result['ws_events']:,}, {result['ws_reconnects']} reconnects"),
        ("ws caught up", "yes" if result["ws_caught_up"] else _behind(result)),
        ("stream gaps / duplicates", f"{result['stream_gaps']} / {result['stream_duplicates']}"),
    ]
    lines += ["", *(f"{name:26} {value}" for name, value in checks)]
    lines.append("")
    lines.append("chaos run OK" if result["ok"] else "chaos run FAILED")
    return "\n".join(lines)


def _behind(result: dict[str, Any]) -> str:
    return (
        f"NO: {result.get('ws_behind')} players short of their head by "
        f"{result.get('ws_events_missing')} events, last event after "
        f"{result.get('ws_behind_last_event_after')}"
    )
