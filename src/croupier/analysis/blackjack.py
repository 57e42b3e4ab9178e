"""``croupier rtp blackjack-…``: simulated house edge of a blackjack rule set under basic strategy.

``croupier rtp blackjack-6d-s17 --hands 10000000 --seed 1`` plays ten million engine rounds
over all cores (see :mod:`croupier.analysis.blackjack_sim`) and prints the house edge with its
99% confidence interval, the standard deviation per hand and the speed in hands per second.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from croupier.adapters.game_files import load_game_data
from croupier.analysis.blackjack_sim import ChunkResult, SimulationSummary, simulate, summarize
from croupier.domain.errors import CroupierError, GameDefinitionError
from croupier.domain.games.blackjack import BlackjackRules, parse_rules

__all__ = ["WORKERS_MAX", "rtp_command", "simulation_stake_minor"]

#: Upper bound on worker processes (the simulation is CPU-bound; more than the cores is waste).
WORKERS_MAX = 64


def rtp_command(
    game_id: str,
    *,
    exact: bool,
    spins: int | None,
    hands: int | None,
    as_json: bool,
    plot: Path | None,
    seed: int | None,
) -> int:
    """Run the simulation and print the report; the process exit code."""
    errors = Console(stderr=True)
    if exact or spins is not None or plot is not None:
        errors.print("blackjack: only --hands N [--seed S] [--json] is supported")
        return 2
    if hands is None:
        errors.print("blackjack: say how many hands to simulate with --hands N")
        return 2
    try:
        rules = parse_rules(load_game_data(game_id))
        stake_minor = simulation_stake_minor(rules)
    except CroupierError as error:
        errors.print(f"blackjack: {error}")
        return 2
    seed = secrets.randbits(63) if seed is None else seed
    workers = max(1, min(os.cpu_count() or 1, WORKERS_MAX))
    started = time.perf_counter()
    total = _run_with_progress(rules, hands, seed, stake_minor, workers, errors)
    elapsed_s = time.perf_counter() - started
    report = _report(rules, seed, workers, summarize(total, stake_minor), elapsed_s)
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        _print_report(Console(), report)
    return 0


def simulation_stake_minor(rules: BlackjackRules) -> int:
    """The stake each simulated hand bets: the smallest table stake that is a multiple of 10.

    A multiple of 10 makes 3:2 and 6:5 blackjack payouts exact, so the floor rounding of the
    payout does not leak into the measured edge.
    """
    stake_minor = -(-rules.stake_min_minor // 10) * 10
    if stake_minor > rules.stake_max_minor:
        raise GameDefinitionError("limits: no stake that is a multiple of 10 fits the limits")
    return stake_minor


def _run_with_progress(
    rules: BlackjackRules, hands: int, seed: int, stake_minor: int, workers: int, console: Console
) -> ChunkResult:
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[speed]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(rules.game_id, total=hands, speed="")
        started = time.perf_counter()
        done = 0

        def advance(chunk: ChunkResult) -> None:
            nonlocal done
            done += chunk.hands
            rate = done / max(time.perf_counter() - started, 1e-9)
            progress.update(task, completed=done, speed=f"{rate:,.0f} hands/s")

        return simulate(
            rules, hands, seed, stake_minor=stake_minor, workers=workers, on_chunk=advance
        )


def _report(
    rules: BlackjackRules,
    seed: int,
    workers: int,
    summary: SimulationSummary,
    elapsed_s: float,
) -> dict[str, Any]:
    return {
        "game": rules.game_id,
        "name": rules.name,
        "strategy": "basic strategy, Wizard of Odds 4-8 deck charts; no insurance",
        "hands": summary.hands,
        "seed": seed,
        "stake_minor": summary.stake_minor,
        "house_edge_percent": 100 * summary.house_edge,
        "house_edge_99_percent": [
            100 * summary.house_edge_low_99,
            100 * summary.house_edge_high_99,
        ],
        "rtp_percent": 100 * (1 - summary.house_edge),
        "std_dev_per_hand": summary.std_dev_per_hand,
        "workers": workers,
        "elapsed_s": elapsed_s,
        "hands_per_s": summary.hands / max(elapsed_s, 1e-9),
    }


def _print_report(console: Console, report: dict[str, Any]) -> None:
    low, high = report["house_edge_99_percent"]
    console.print(f"[bold]{report['name']}[/bold] ({report['game']})")
    console.print(f"  strategy        {report['strategy']}")
    console.print(f"  hands           {report['hands']:,} (seed {report['seed']})")
    console.print(f"  house edge      {report['house_edge_percent']:.3f}%")
    console.print(f"  99% interval    {low:.3f}% .. {high:.3f}%")
    console.print(f"  RTP             {report['rtp_percent']:.3f}%")
    console.print(f"  std dev / hand  {report['std_dev_per_hand']:.4f} stakes")
    console.print(
        f"  speed           {report['hands_per_s']:,.0f} hands/s "
        f"({report['workers']} workers, {report['elapsed_s']:.1f} s)"
    )
