"""The exact PAR sheet of a slot game: full-cycle enumeration, feature and jackpot exactly.

Units: every RTP and moment is per paid spin, in multiples of the total stake.

* **Base game**: all ``P = Π len(strip)`` stop combinations are evaluated (vectorised) into a
  histogram of (scatter count, total line pay); base RTP and moments are exact sums.
* **Feature**: free spins use the same reels, so the same histogram gives, per scatter
  count, the probability, win moments and award of one free spin; :mod:`slots_feature`
  solves the retrigger process under the cap exactly.
* **Jackpot** at stake s (minor units), odds D, seed S, contribution c = floor(s·bps/10⁴):
  the pool won is S + c·K where K, the spins since the last hit counting the winning one,
  is geometric with mean D. So E[jackpot] = (S/D + c)/s and
  E[jackpot²] = (S² + 2·S·c·D + c²·(2D² − D)) / (D·s²). The jackpot draw is independent
  of the reels.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from croupier.analysis.slots_feature import SpinClass, feature_moments
from croupier.analysis.slots_tables import COUNT_SLOTS, FastEvaluator, prize_label
from croupier.domain.games.slots import SlotGame
from croupier.domain.games.slots_definition import BASIS_POINTS, REEL_COUNT

__all__ = [
    "CHUNK_SPINS",
    "JackpotPar",
    "ParSheet",
    "Prize",
    "cycle_histogram",
    "jackpot_par",
    "par_sheet",
]

CHUNK_SPINS = 1 << 18
VOLATILITY_Z = Fraction(1645, 1000)  # volatility index = 1.645·σ: a 90% two-sided interval


@dataclass(frozen=True)
class Prize:
    """A prize and its probability per spin (per line, for line prizes)."""

    kind: str  # "line" or "scatter"
    symbol: str
    count: int
    pay: int  # line bets for line prizes, total stakes for scatter prizes
    free_spins: int
    probability: Fraction


@dataclass(frozen=True)
class JackpotPar:
    """The jackpot's share of the RTP at one stake."""

    stake_minor: int
    odds: int
    seed_rtp: Fraction
    contribution_rtp: Fraction
    second_moment: Fraction

    @property
    def rtp(self) -> Fraction:
        """Seed plus contribution."""
        return self.seed_rtp + self.contribution_rtp

    @property
    def variance(self) -> Fraction:
        """Variance of the jackpot's payout per spin, in stakes²."""
        return self.second_moment - self.rtp**2


@dataclass(frozen=True)
class ParSheet:
    """Everything a test lab asks of a slot's maths; exact where it can be."""

    game_id: str
    name: str
    cycle: int
    line_count: int
    base_line_rtp: Fraction
    base_scatter_rtp: Fraction
    feature_rtp: Fraction
    game_second_moment: Fraction  # E[(base + feature)²]
    hit_frequency: Fraction
    feature_frequency: Fraction
    free_spins_per_feature: Fraction
    free_spins_cap: int
    jackpot_at_min: JackpotPar | None
    jackpot_at_max: JackpotPar | None
    prizes: tuple[Prize, ...]

    @property
    def game_rtp(self) -> Fraction:
        """Base plus feature: the RTP without the jackpot."""
        return self.base_line_rtp + self.base_scatter_rtp + self.feature_rtp

    @property
    def game_variance(self) -> Fraction:
        """Per-spin variance without the jackpot."""
        return self.game_second_moment - self.game_rtp**2

    @property
    def total_rtp(self) -> Fraction:
        """At the maximum stake, where the jackpot seed's share is smallest."""
        jackpot = self.jackpot_at_max
        return self.game_rtp + (jackpot.rtp if jackpot else 0)

    @property
    def total_rtp_at_min(self) -> Fraction:
        """At the minimum stake."""
        jackpot = self.jackpot_at_min
        return self.game_rtp + (jackpot.rtp if jackpot else 0)

    @property
    def variance(self) -> Fraction:
        """Per-spin variance at the maximum stake, jackpot included."""
        jackpot = self.jackpot_at_max
        return self.game_variance + (jackpot.variance if jackpot else 0)

    @property
    def volatility_index(self) -> float:
        """1.645·σ (σ at the maximum stake, jackpot included)."""
        return float(VOLATILITY_Z) * math.sqrt(self.variance)

    @property
    def rarest_prize(self) -> Prize:
        """The least likely prize (the jackpot is reported separately)."""
        return min(self.prizes, key=lambda prize: prize.probability)

    @property
    def top_line_prize(self) -> Prize:
        """The line prize that pays the most line bets."""
        return max(
            (p for p in self.prizes if p.kind == "line"), key=lambda p: (p.pay, -p.probability)
        )


def cycle_histogram(evaluator: FastEvaluator) -> Counter[tuple[int, int]]:
    """Stop combinations of the full cycle by (scatter count, total line pay)."""
    sizes = evaluator.group_sizes
    strides = [int(np.prod(sizes[g + 1 :], dtype=np.int64)) for g in range(len(sizes))]
    cycle = int(np.prod(sizes, dtype=np.int64))
    histogram: Counter[tuple[int, int]] = Counter()
    key_base = 1 << 40  # line totals stay far below 2**40
    for start in range(0, cycle, CHUNK_SPINS):
        flat = np.arange(start, min(start + CHUNK_SPINS, cycle), dtype=np.int64)
        indices = [(flat // stride) % size for stride, size in zip(strides, sizes, strict=True)]
        totals, scatters = evaluator.evaluate(indices)
        keys, counts = np.unique(scatters * key_base + totals, return_counts=True)
        for key, count in zip(keys.tolist(), counts.tolist(), strict=True):
            histogram[divmod(key, key_base)] += count
    return histogram


def _line_prizes(game: SlotGame, evaluator: FastEvaluator) -> list[Prize]:
    """Per-line probability of each line prize: every cell shows its strip uniformly."""
    weights = np.ones(1, np.int64)
    for strip in game.definition.reels:
        counts = np.zeros(16, np.int64)
        for symbol in strip:
            counts[evaluator.symbols.index(symbol)] += 1
        weights = np.multiply.outer(weights, counts).ravel()
    cycle = int(np.prod([len(s) for s in game.definition.reels], dtype=np.int64))
    prizes = []
    for prize in np.unique(evaluator.prize_lut[weights > 0]).tolist():
        if prize < 0:
            continue
        combos = int(weights[evaluator.prize_lut == prize].sum())
        symbol, count = prize_label(evaluator, prize)
        pay = int(evaluator.pay_lut[np.argmax(evaluator.prize_lut == prize)])
        prizes.append(Prize("line", symbol, count, pay, 0, Fraction(combos, cycle)))
    paid = {(p.symbol, p.count) for p in prizes}
    tables = dict(game.definition.paytable)
    if game.definition.wild is not None:
        tables[game.definition.wild.symbol] = game.definition.wild.pays
    for symbol, pays in tables.items():  # a listed prize that never happens: probability 0
        for count in range(COUNT_SLOTS):
            if pays[count] > 0 and (symbol, count) not in paid:
                prizes.append(Prize("line", symbol, count, pays[count], 0, Fraction(0)))
    return prizes


def jackpot_par(game: SlotGame, stake_minor: int) -> JackpotPar | None:
    """The jackpot's RTP and second moment at a stake (see the module docstring)."""
    jackpot = game.definition.jackpot
    if jackpot is None:
        return None
    odds, seed = jackpot.odds, jackpot.seed_minor
    contribution = stake_minor * jackpot.contribution_bps // BASIS_POINTS
    pool_square = seed**2 + 2 * seed * contribution * odds + contribution**2 * (2 * odds**2 - odds)
    return JackpotPar(
        stake_minor=stake_minor,
        odds=odds,
        seed_rtp=Fraction(seed, odds * stake_minor),
        contribution_rtp=Fraction(contribution, stake_minor),
        second_moment=Fraction(pool_square, odds * stake_minor**2),
    )


def par_sheet(game: SlotGame, evaluator: FastEvaluator) -> ParSheet:
    """Enumerate the full cycle and solve the feature and jackpot exactly."""
    histogram = cycle_histogram(evaluator)
    cycle = sum(histogram.values())
    lines = game.line_count
    pays, awards = evaluator.scatter_pays, evaluator.awards
    scatter = game.definition.scatter
    cap = scatter.free_spins_max if scatter else 0
    multiplier = scatter.free_spin_multiplier if scatter else 1
    # Wins in line bets, by scatter count: the class of a spin.
    by_count: dict[int, list[int]] = {}
    line_sum = scatter_sum = hits = 0
    for (count, total), combos in histogram.items():
        win = total + pays[count] * lines
        entry = by_count.setdefault(count, [0, 0, 0])
        entry[0] += combos
        entry[1] += win * combos
        entry[2] += win * win * combos
        line_sum += total * combos
        scatter_sum += pays[count] * combos
        hits += combos if win > 0 or awards[count] > 0 else 0
    counts = sorted(by_count)
    free_classes = [
        SpinClass(
            awards[k], by_count[k][0], multiplier * by_count[k][1], multiplier**2 * by_count[k][2]
        )
        for k in counts
    ]
    starts = sorted({min(awards[k], cap) for k in counts})
    wins = feature_moments(free_classes, cycle, cap, starts)
    spins = feature_moments(
        [SpinClass(c.award, c.combos, c.combos, c.combos) for c in free_classes], cycle, cap, starts
    )
    feature_sum = Fraction(0)
    square_sum = Fraction(sum(by_count[k][2] for k in counts))
    triggers = 0
    spins_sum = Fraction(0)
    for k in counts:
        combos, win_sum, _ = by_count[k]
        start = min(awards[k], cap)
        feature_sum += combos * wins.first[start]
        square_sum += 2 * win_sum * wins.first[start] + combos * wins.second[start]
        if start:
            triggers += combos
            spins_sum += combos * spins.first[start]
    stake = game.definition.stake
    return ParSheet(
        game_id=game.game_id,
        name=game.definition.name,
        cycle=cycle,
        line_count=lines,
        base_line_rtp=Fraction(line_sum, cycle * lines),
        base_scatter_rtp=Fraction(scatter_sum, cycle),
        feature_rtp=feature_sum / (cycle * lines),
        game_second_moment=square_sum / (cycle * lines * lines),
        hit_frequency=Fraction(hits, cycle),
        feature_frequency=Fraction(triggers, cycle),
        free_spins_per_feature=spins_sum / triggers if triggers else Fraction(0),
        free_spins_cap=cap,
        jackpot_at_min=jackpot_par(game, stake.min_minor),
        jackpot_at_max=jackpot_par(game, stake.max_minor),
        prizes=tuple(_line_prizes(game, evaluator) + _scatter_prizes(game, histogram, cycle)),
    )


def _scatter_prizes(game: SlotGame, histogram: Counter[tuple[int, int]], cycle: int) -> list[Prize]:
    scatter = game.definition.scatter
    if scatter is None:
        return []
    combos = Counter[int]()
    for (count, _), number in histogram.items():
        combos[count] += number
    return [
        Prize(
            "scatter",
            scatter.symbol,
            count,
            scatter.pays[count],
            scatter.awards[count],
            Fraction(combos[count], cycle),
        )
        for count in range(REEL_COUNT + 1)
        if scatter.pays[count] or scatter.awards[count]
    ]
