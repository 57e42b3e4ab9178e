"""The vectorised slot evaluator that the exact PAR sheet and the simulation share.

A payline's five symbols (4-bit codes) form a 20-bit index into a lookup table of line pays
(16**5 entries), built once by the same rule as the pure engine (:meth:`SlotGame.line_win`).
That table is too big for the CPU cache, so it is compressed: two 3-symbol prefixes that
pay the same for every 2-symbol suffix are one *state* (a few hundred at most), and the
line pay is ``state_pays[state * 256 + suffix]``, a table that stays in cache.

Reels 1-3 and reels 4-5 form two groups (27,000 and 900 stop combinations for 30-stop
strips). For every line, the state of each reels-1-3 combination and the suffix of each
reels-4-5 combination are precomputed, so scoring N spins is, per line, two gathers, an add
and one cached gather, on contiguous arrays. ``tests/unit/test_slots_fast_path.py`` proves
it agrees with the engine spin by spin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from croupier.domain.games.slots import SlotGame
from croupier.domain.games.slots_definition import REEL_COUNT

__all__ = ["COUNT_SLOTS", "GROUPS", "FastEvaluator", "build_evaluator", "prize_label"]

#: Reels 1-3 give the prefix state, reels 4-5 the suffix.
GROUPS = ((0, 1, 2), (3, 4))
BITS = 4
SUFFIX_SIZE = 1 << (2 * BITS)
COUNT_SLOTS = REEL_COUNT + 1  # a prize id is symbol_code * 6 + count

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class FastEvaluator:
    """Precomputed tables of one game; :meth:`evaluate` scores many spins at once."""

    symbols: tuple[str, ...]  # symbol code → name
    reel_lengths: tuple[int, ...]
    groups: tuple[tuple[int, ...], ...]  # reels in each group, left to right
    line_tables: tuple[npt.NDArray[np.int32], ...]  # per group: (lines, combos) index parts
    scatter_tables: tuple[npt.NDArray[np.int8], ...]  # per group: scatters shown per combo
    pay_lut: npt.NDArray[np.int32]  # 16**5 line index → pay (line bets)
    state_pays: npt.NDArray[np.int32]  # state * 256 + suffix → pay (line bets)
    prize_lut: npt.NDArray[np.int16]  # 16**5 line index → prize id, -1 for no win
    scatter_pays: tuple[int, ...]  # by scatter count, × total stake
    awards: tuple[int, ...]  # free spins by scatter count
    line_count: int

    @property
    def group_sizes(self) -> tuple[int, ...]:
        """Stop combinations per reel group."""
        return tuple(int(table.shape[1]) for table in self.line_tables)

    def group_indices(self, stops: npt.NDArray[np.int64]) -> list[IntArray]:
        """Per group, the combined index of (N, 5) stops (mixed radix, left reel first)."""
        result = []
        for reels in self.groups:
            index = np.zeros(len(stops), np.int64)
            for reel in reels:
                index = index * self.reel_lengths[reel] + stops[:, reel]
            result.append(index)
        return result

    def evaluate(self, indices: Sequence[IntArray]) -> tuple[IntArray, IntArray]:
        """Total line pay (line bets) and scatter count of each spin given group indices."""
        size = len(indices[0])
        total = np.zeros(size, np.int32)  # ≤ 100 lines × PAY_MAX fits
        code = np.empty(size, np.int32)
        part = np.empty(size, np.int32)  # reused buffers: no allocation per line
        prefixes, suffixes = self.line_tables
        for line in range(self.line_count):
            np.take(prefixes[line], indices[0], out=code)
            np.take(suffixes[line], indices[1], out=part)
            code += part
            np.take(self.state_pays, code, out=part)
            total += part
        scatters = self.scatter_tables[0].take(indices[0]).astype(np.int64)
        scatters += self.scatter_tables[1].take(indices[1])
        return total.astype(np.int64), scatters


def _group_tables(
    game: SlotGame, codes: dict[str, int], reels: tuple[int, ...]
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int8]]:
    """Per line, the 20-bit index share of each stop combination of ``reels``; scatters."""
    definition = game.definition
    lengths = [len(definition.reels[reel]) for reel in reels]
    grid = np.indices(lengths).reshape(len(reels), -1)  # row k: stops of reels[k]
    parts = np.zeros((game.line_count, grid.shape[1]), np.int32)
    scatters = np.zeros(grid.shape[1], np.int8)
    scatter = definition.scatter.symbol if definition.scatter else None
    for k, reel in enumerate(reels):
        strip = np.array([codes[s] for s in definition.reels[reel]], np.int32)
        shift = BITS * (REEL_COUNT - 1 - reel)
        for line, rows in enumerate(definition.paylines):
            parts[line] += strip[(grid[k] + rows[reel]) % lengths[k]] << shift
        if scatter is not None:
            is_scatter = np.array([s == scatter for s in definition.reels[reel]], np.int8)
            for row in range(definition.rows):
                scatters += is_scatter[(grid[k] + row) % lengths[k]]
    return parts, scatters


def _pay_tables(
    game: SlotGame, codes: dict[str, int]
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int16]]:
    """Every 5-symbol line → (pay, prize id), by the engine's rule, vectorised."""
    definition = game.definition
    index = np.arange(1 << (BITS * REEL_COUNT), dtype=np.int64)
    cells = np.stack(
        [(index >> (BITS * (REEL_COUNT - 1 - reel))) & 0xF for reel in range(REEL_COUNT)]
    )
    wild = codes[definition.wild.symbol] if definition.wild else -1
    wild_pays = np.array(definition.wild.pays if definition.wild else [0] * COUNT_SLOTS)
    pays_by_code = np.zeros((1 << BITS, COUNT_SLOTS), np.int64)
    for symbol, pays in definition.paytable.items():
        pays_by_code[codes[symbol]] = pays
    is_wild = cells == wild
    leading = np.cumprod(is_wild, axis=0).sum(axis=0)  # leading wilds, 0..5
    first = np.take_along_axis(cells, np.minimum(leading, REEL_COUNT - 1)[None], 0)[0]
    matches = (cells == first) | is_wild
    run = np.cumprod(matches, axis=0).sum(axis=0)
    symbol_pay = np.where(leading < REEL_COUNT, pays_by_code[first, run], 0)
    wild_pay = wild_pays[leading]
    use_symbol = (symbol_pay > 0) & (symbol_pay >= wild_pay)
    pay = np.where(use_symbol, symbol_pay, wild_pay)
    prize = np.where(
        use_symbol,
        first * COUNT_SLOTS + run,
        np.where(wild_pay > 0, wild * COUNT_SLOTS + leading, -1),
    )
    return pay.astype(np.int32), prize.astype(np.int16)


def build_evaluator(game: SlotGame) -> FastEvaluator:
    """Precompute the tables of ``game`` (a fraction of a second)."""
    definition = game.definition
    symbols = definition.symbols
    codes = {symbol: code for code, symbol in enumerate(symbols)}
    lengths = tuple(len(strip) for strip in definition.reels)
    tables = [_group_tables(game, codes, reels) for reels in GROUPS]
    pay_lut, prize_lut = _pay_tables(game, codes)
    # Compress: prefixes whose 256 suffix pays are equal share a state.
    rows, state_of_prefix = np.unique(pay_lut.reshape(-1, SUFFIX_SIZE), axis=0, return_inverse=True)
    prefix_parts = tables[0][0] >> (2 * BITS)  # the 12-bit prefix code of each combination
    prefix_states = state_of_prefix.reshape(-1)[prefix_parts].astype(np.int32) * SUFFIX_SIZE
    scatter = definition.scatter
    return FastEvaluator(
        symbols=symbols,
        reel_lengths=lengths,
        groups=GROUPS,
        line_tables=(np.ascontiguousarray(prefix_states), np.ascontiguousarray(tables[1][0])),
        scatter_tables=tuple(scatters for _, scatters in tables),
        pay_lut=pay_lut,
        state_pays=np.ascontiguousarray(rows.reshape(-1), dtype=np.int32),
        prize_lut=prize_lut,
        scatter_pays=scatter.pays if scatter else (0,) * COUNT_SLOTS,
        awards=scatter.awards if scatter else (0,) * COUNT_SLOTS,
        line_count=game.line_count,
    )


def prize_label(evaluator: FastEvaluator, prize: int) -> tuple[str, int]:
    """(symbol, count) of a prize id from :attr:`FastEvaluator.prize_lut`."""
    return evaluator.symbols[prize // COUNT_SLOTS], prize % COUNT_SLOTS
