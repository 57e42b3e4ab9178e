"""``croupier rtp SLOT_ID --exact | --spins N``: the PAR sheet and the simulation of a slot.

Exit codes: 0 done; 1 a simulation whose 99% interval misses the exact RTP (the maths or
the simulator is wrong, or a 1-in-100 event); 2 bad input (unknown game, malformed
definition, wrong options).
"""

from __future__ import annotations

import json
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from croupier.adapters.game_files import load_game_data
from croupier.analysis.slots_par import ParSheet, Prize, par_sheet
from croupier.analysis.slots_sim import WORKERS, Simulation, simulate
from croupier.analysis.slots_tables import build_evaluator
from croupier.domain.errors import CroupierError
from croupier.domain.games.slots import SlotGame

__all__ = ["Z_99", "par_json", "rtp_command", "simulation_json"]

Z_99 = 2.5758293035489004  # two-sided 99% normal quantile
FRACTION_SHOWN_MAX = 60  # longer exact fractions go to --json only


def _exact(value: Fraction) -> dict[str, Any]:
    return {"exact": f"{value.numerator}/{value.denominator}", "value": float(value)}


def _prize(prize: Prize) -> dict[str, Any]:
    odds = float(1 / prize.probability) if prize.probability else None
    return {
        "kind": prize.kind,
        "symbol": prize.symbol,
        "count": prize.count,
        "pay": prize.pay,
        "free_spins": prize.free_spins,
        "probability": _exact(prize.probability),
        "one_in": odds,
    }


def par_json(game: SlotGame, par: ParSheet) -> dict[str, Any]:
    """The PAR sheet as plain data (exact fractions as "n/d" strings beside floats)."""
    jackpot = game.definition.jackpot
    result: dict[str, Any] = {
        "game": par.game_id,
        "name": par.name,
        "cycle": par.cycle,
        "lines": par.line_count,
        "stake_minor": {
            "min": game.definition.stake.min_minor,
            "max": game.definition.stake.max_minor,
        },
        "rtp": {
            "base_lines": _exact(par.base_line_rtp),
            "base_scatter": _exact(par.base_scatter_rtp),
            "feature": _exact(par.feature_rtp),
            "game": _exact(par.game_rtp),
            "jackpot": _exact(par.jackpot_at_max.rtp if par.jackpot_at_max else Fraction(0)),
            "total": _exact(par.total_rtp),
            "total_at_min_stake": _exact(par.total_rtp_at_min),
            "stake_note": "total is at the maximum stake; the jackpot seed's share grows "
            "as the stake falls",
        },
        "hit_frequency": _exact(par.hit_frequency),
        "feature_frequency": _exact(par.feature_frequency),
        "free_spins_per_feature": _exact(par.free_spins_per_feature),
        "free_spins_cap": par.free_spins_cap,
        "sd": float(par.variance) ** 0.5,
        "sd_game": float(par.game_variance) ** 0.5,
        "variance": _exact(par.variance),
        "volatility_index_90": par.volatility_index,
        "volatility_index_note": "1.645 × sd per spin (90% two-sided), jackpot included",
        "top_line_prize": _prize(par.top_line_prize),
        "rarest_prize": _prize(par.rarest_prize),
        "prizes": [_prize(prize) for prize in par.prizes],
    }
    if jackpot is not None:
        result["jackpot"] = {
            "odds": jackpot.odds,
            "seed_minor": jackpot.seed_minor,
            "contribution_bps": jackpot.contribution_bps,
            **{
                label: {
                    "stake_minor": part.stake_minor,
                    "seed_rtp": _exact(part.seed_rtp),
                    "contribution_rtp": _exact(part.contribution_rtp),
                }
                for label, part in (
                    ("at_min_stake", par.jackpot_at_min),
                    ("at_max_stake", par.jackpot_at_max),
                )
                if part is not None
            },
        }
    return result


def simulation_json(par: ParSheet, simulation: Simulation) -> dict[str, Any]:
    """The simulation, its 99% intervals (PAR σ) and whether they hold the exact RTP."""
    n = simulation.spins
    half = Z_99 * float(par.variance) ** 0.5 / n**0.5
    game_half = Z_99 * float(par.game_variance) ** 0.5 / n**0.5
    exact, exact_game = float(par.total_rtp), float(par.game_rtp)
    return {
        "game": par.game_id,
        "spins": n,
        "seed": simulation.seed,
        "workers": WORKERS,
        "stake_minor": simulation.stake_minor,
        "rtp": simulation.rtp,
        "ci99": [simulation.rtp - half, simulation.rtp + half],
        "exact_rtp": exact,
        "contains_exact": abs(simulation.rtp - exact) <= half,
        "game_rtp": simulation.game_rtp,
        "game_ci99": [simulation.game_rtp - game_half, simulation.game_rtp + game_half],
        "exact_game_rtp": exact_game,
        "game_contains_exact": abs(simulation.game_rtp - exact_game) <= game_half,
        "ci_note": "normal interval with the exact per-spin sd from the PAR sheet",
        "sd_exact": float(par.variance) ** 0.5,
        "sd_sample": simulation.sample_sd,
        "features": simulation.features,
        "free_spins": simulation.free_spins,
        "jackpot_hits": simulation.jackpot_hits,
        "elapsed_s": simulation.elapsed_s,
        "spins_per_s": simulation.spins_per_s,
    }


def _short(value: Fraction) -> str:
    text = f"{value.numerator}/{value.denominator}"
    shown = f"{float(value):.6%}"
    return f"{shown}  ({text})" if len(text) <= FRACTION_SHOWN_MAX else shown


def _print_par(console: Console, data: dict[str, Any], par: ParSheet) -> None:
    table = Table(title=f"PAR sheet: {par.name} ({par.game_id}), cycle {par.cycle:,}")
    table.add_column("quantity")
    table.add_column("value")
    rows = [
        ("base RTP, lines", _short(par.base_line_rtp)),
        ("base RTP, scatter", _short(par.base_scatter_rtp)),
        ("feature RTP (free spins)", _short(par.feature_rtp)),
        ("game RTP (no jackpot)", _short(par.game_rtp)),
        ("jackpot RTP at max stake", f"{data['rtp']['jackpot']['value']:.6%}"),
        ("total RTP at max stake", _short(par.total_rtp)),
        ("total RTP at min stake", _short(par.total_rtp_at_min)),
        ("hit frequency", f"{float(par.hit_frequency):.4%}"),
        (
            "feature frequency",
            f"1 in {float(1 / par.feature_frequency):,.1f}" if par.feature_frequency else "never",
        ),
        (
            "free spins per feature",
            f"{float(par.free_spins_per_feature):.4f} (cap {par.free_spins_cap})",
        ),
        ("sd per spin (game / total)", f"{data['sd_game']:.4f} / {data['sd']:.4f}"),
        ("volatility index (1.645·sd, 90%)", f"{par.volatility_index:.3f}"),
        ("top line prize", _prize_text(par.top_line_prize)),
        ("rarest prize", _prize_text(par.rarest_prize)),
    ]
    if par.jackpot_at_max is not None:
        rows.append(("jackpot odds", f"1 in {par.jackpot_at_max.odds:,}"))
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)


def _prize_text(prize: Prize) -> str:
    unit = "line bets" if prize.kind == "line" else "stakes"
    odds = f"1 in {float(1 / prize.probability):,.0f}" if prize.probability else "impossible"
    per = "per line" if prize.kind == "line" else "per spin"
    return f"{prize.count} × {prize.symbol} pays {prize.pay} {unit}: {odds} {per}"


def _run_simulation(
    game: SlotGame, spins: int, seed: int | None, quiet: bool
) -> tuple[ParSheet, Simulation]:
    evaluator = build_evaluator(game)
    par = par_sheet(game, evaluator)
    import secrets  # a fresh seed is printed so the run can be repeated

    chosen = seed if seed is not None else secrets.randbits(63)
    stake = game.definition.stake.max_minor
    with Progress(
        TextColumn("simulating"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=quiet,
    ) as progress:
        task = progress.add_task("spins", total=spins)
        simulation = simulate(
            game, evaluator, spins, chosen, stake, lambda n: progress.advance(task, n)
        )
    return par, simulation


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
    """Print the exact PAR sheet (``exact``) and/or simulate ``spins`` paid rounds."""
    console = Console()
    try:
        if hands is not None or (not exact and spins is None):
            raise CroupierError("slots take --exact and/or --spins N (not --hands)")
        game = SlotGame.from_data(load_game_data(game_id))
        if spins is None:
            par = par_sheet(game, build_evaluator(game))
            data = par_json(game, par)
            if as_json:
                print(json.dumps(data))
            else:
                _print_par(console, data, par)
            return 0
        par, simulation = _run_simulation(game, spins, seed, quiet=as_json)
    except CroupierError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    report = simulation_json(par, simulation)
    if exact:
        report["par"] = par_json(game, par)
    if plot is not None:
        from croupier.analysis.slots_plot import plot_convergence

        plot_convergence(
            simulation,
            float(par.total_rtp),
            float(par.variance) ** 0.5,
            Z_99,
            f"{par.name}: {spins:,} spins, seed {simulation.seed}",
            plot,
        )
        report["plot"] = str(plot)
    if as_json:
        print(json.dumps(report))
    else:
        if exact:
            _print_par(console, report["par"], par)
        for key, value in report.items():
            if key != "par":
                console.print(f"{key:>20}: {value}")
    return 0 if report["contains_exact"] and report["game_contains_exact"] else 1
