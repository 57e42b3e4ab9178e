"""``croupier rtp european-roulette``: the exact return of every bet type, and a simulation.

The exact figures enumerate all 37 pockets for every bet the layout allows (see
:func:`croupier.domain.games.roulette.valid_bets`) through the real settlement code, so they
check the engine rather than restate the theory: each bet type must come out at 36/37.
"""

from __future__ import annotations

import json
import secrets
import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import typer

from croupier.domain.games.roulette import (
    PAYOUT_ODDS,
    POCKETS,
    Bet,
    BetType,
    settle,
    valid_bets,
)

__all__ = ["BetTypeReturn", "exact_returns", "rtp_command", "simulated_returns"]

GAME_ID = "european-roulette"
#: A simulation draws every pocket at once with numpy; cap it so memory stays < ~1 GiB.
SPINS_MAX = 100_000_000
_SIMULATION_CHUNK = 10_000_000


@dataclass(frozen=True)
class BetTypeReturn:
    """Return to player of one bet type, averaged over every valid bet of that type."""

    bet_type: BetType
    odds: int
    bets: int
    pockets_covered: int
    rtp: Fraction
    hit_frequency: Fraction

    @property
    def house_edge(self) -> Fraction:
        """``1 - rtp``: the operator's share of every unit staked."""
        return 1 - self.rtp

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: exact fractions as ``"36/37"`` strings beside their decimal values."""
        return {
            "bet_type": self.bet_type.value,
            "odds": self.odds,
            "bets": self.bets,
            "pockets_covered": self.pockets_covered,
            **_fraction_fields("rtp", self.rtp),
            **_fraction_fields("hit_frequency", self.hit_frequency),
            **_fraction_fields("house_edge", self.house_edge),
        }


def _fraction_fields(name: str, value: Fraction) -> dict[str, Any]:
    return {name: str(value), f"{name}_decimal": float(value)}


def exact_returns() -> list[BetTypeReturn]:
    """Enumerate all 37 pockets for every valid bet of each type, settling a 1-unit stake."""
    results = []
    for bet_type in BetType:
        bets = [Bet(bet_type, numbers, 1) for numbers in valid_bets(bet_type)]
        returned = 0
        hits = 0
        for pocket in range(POCKETS):
            wins = settle(bets, pocket)
            returned += sum(wins)
            hits += sum(1 for win in wins if win > 0)
        rounds = len(bets) * POCKETS
        results.append(
            BetTypeReturn(
                bet_type,
                PAYOUT_ODDS[bet_type],
                len(bets),
                len(bets[0].numbers),
                Fraction(returned, rounds),
                Fraction(hits, rounds),
            )
        )
    return results


def simulated_returns(spins: int, seed: int | None) -> tuple[list[BetTypeReturn], int]:
    """Spin ``spins`` times (numpy PCG64) and score every valid bet of each type on them.

    Returns the per-type figures and the seed used, so a run can be repeated.
    """
    import numpy as np

    seed_used = secrets.randbits(64) if seed is None else seed
    generator = np.random.default_rng(seed_used)
    counts = np.zeros(POCKETS, dtype=np.int64)
    remaining = spins
    while remaining:
        batch = min(remaining, _SIMULATION_CHUNK)
        counts += np.bincount(generator.integers(0, POCKETS, size=batch), minlength=POCKETS)
        remaining -= batch
    pocket_counts = [int(count) for count in counts]
    results = []
    for bet_type in BetType:
        covers = valid_bets(bet_type)
        hits = sum(pocket_counts[pocket] for numbers in covers for pocket in numbers)
        rounds = spins * len(covers)
        odds = PAYOUT_ODDS[bet_type]
        results.append(
            BetTypeReturn(
                bet_type,
                odds,
                len(covers),
                len(covers[0]),
                Fraction(hits * (odds + 1), rounds),
                Fraction(hits, rounds),
            )
        )
    return results, seed_used


def _render_table(title: str, rows: list[BetTypeReturn], *, exact: bool) -> str:
    """A fixed-width table; exact tables also show each RTP as a fraction."""
    header = f"{'bet type':<11} {'pays':>5} {'bets':>5} {'covers':>6} {'RTP':>11}"
    header += f" {'exact':>7}" if exact else ""
    lines = [title, header + f" {'hit freq':>9} {'house edge':>10}"]
    for row in rows:
        line = (
            f"{row.bet_type.value:<11} {row.odds:>3}:1 {row.bets:>5} {row.pockets_covered:>6} "
            f"{float(row.rtp):>11.6%}"
        )
        line += f" {row.rtp!s:>7}" if exact else ""
        lines.append(line + f" {float(row.hit_frequency):>9.4%} {float(row.house_edge):>10.4%}")
    return "\n".join(lines)


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
    """Print the exact RTP table (default) and/or a simulation; returns the exit code."""
    if game_id != GAME_ID:
        return _refuse(f"unknown roulette game {game_id!r}; offered: {GAME_ID}")
    if hands is not None or plot is not None:
        return _refuse("roulette supports --exact, --spins N, --seed and --json only")
    if spins is not None and not 1 <= spins <= SPINS_MAX:
        return _refuse(f"--spins must be 1 to {SPINS_MAX}")
    if seed is not None and seed < 0:
        return _refuse("--seed must be >= 0")
    report: dict[str, Any] = {"game": GAME_ID, "pockets": POCKETS}
    text: list[str] = []
    if exact or spins is None:
        rows = exact_returns()
        lowest = min(row.rtp for row in rows)
        report["exact"] = {
            "rtp_min": str(lowest),
            "rtp_max": str(max(row.rtp for row in rows)),
            "house_edge_max": str(1 - lowest),
            "bet_types": [row.as_dict() for row in rows],
        }
        title = "European roulette, exact (all 37 pockets x every valid bet)"
        text.append(_render_table(title, rows, exact=True))
    if spins is not None:
        rows, seed_used = simulated_returns(spins, seed)
        report["simulation"] = {
            "spins": spins,
            "seed": seed_used,
            "bet_types": [row.as_dict() for row in rows],
        }
        title = f"Simulated, {spins} spins, seed {seed_used}"
        text.append(_render_table(title, rows, exact=False))
    if as_json:
        typer.echo(json.dumps(report))
    else:
        typer.echo("\n\n".join(text))
    return 0


def _refuse(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2
