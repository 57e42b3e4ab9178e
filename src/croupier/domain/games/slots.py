"""Data-defined five-reel video slots: line wins, wild, scatter, free spins, progressive jackpot.

A round draws, in this order, so a player can recompute it from the croupier-pf-1 stream:

1. the base spin: for each reel from left to right, ``stop = uniform(len(strip))``; the reel
   shows ``strip[(stop + r) % len(strip)]`` for rows ``r = 0 … rows-1``, top to bottom;
2. the jackpot draw, when the game has a jackpot: ``uniform(jackpot.odds) == 0`` is a hit
   (one draw per paid round, so the chance is the same at every stake);
3. the free spins, one after another, each drawing its five stops like the base spin.

Wins are multiples of the stake, kept exact as :class:`fractions.Fraction`; only
:meth:`SlotRound.settle` turns them into money, flooring to the minor unit (the house keeps
any sub-unit remainder). Because line pays are integers × the line bet and the stake must be
a multiple of the line count, every win is in fact a whole number of minor units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from operator import itemgetter

from croupier.domain.errors import InvalidBet
from croupier.domain.games.slots_definition import (
    BASIS_POINTS,
    SlotDefinition,
    StakeLimits,
    parse_definition,
)
from croupier.domain.rng import RngSource

__all__ = ["LineWin", "ScatterWin", "SlotGame", "SlotRound", "Spin", "check_stake"]

Window = tuple[tuple[str, ...], ...]

_LINE_PAYS_CACHED_MAX = 100_000
_UNKNOWN: tuple[str, int, int] = ("", 0, 0)  # marks a cache miss, compared by identity


@dataclass(frozen=True)
class LineWin:
    """The one (highest) win of a payline: ``count`` × ``symbol`` from the left."""

    line: int
    symbol: str
    count: int
    pay: int  # multiple of the line bet, before any free-spin multiplier


@dataclass(frozen=True)
class ScatterWin:
    """``count`` scatters anywhere: ``pay`` × total stake and ``free_spins`` awarded."""

    count: int
    pay: int
    free_spins: int


@dataclass(frozen=True)
class Spin:
    """One spin of the reels (the base spin or a free spin)."""

    stops: tuple[int, ...]
    window: Window
    line_wins: tuple[LineWin, ...]
    scatter_win: ScatterWin | None
    win_multiplier: Fraction  # this spin's win / total stake, free-spin multiplier included


def check_stake(limits: StakeLimits, stake_minor: int) -> None:
    """Raise ``InvalidBet`` unless ``stake_minor`` is a whole number of line bets in range."""
    if isinstance(stake_minor, bool) or not isinstance(stake_minor, int):
        raise InvalidBet(f"stake must be an integer of minor units, got {stake_minor!r}")
    if not limits.min_minor <= stake_minor <= limits.max_minor:
        raise InvalidBet(
            f"stake {stake_minor} outside [{limits.min_minor}, {limits.max_minor}] minor units"
        )
    if stake_minor % limits.line_count:
        raise InvalidBet(f"stake {stake_minor} is not a multiple of the {limits.line_count} lines")


@dataclass(frozen=True)
class SlotRound:
    """A paid round: the base spin, the jackpot draw and every free spin it led to."""

    game_id: str
    stops: tuple[int, ...]
    window: Window
    line_wins: tuple[LineWin, ...]
    scatter_win: ScatterWin | None
    free_spins: tuple[Spin, ...]
    jackpot_hit: bool
    win_multiplier: Fraction  # total win incl. free spins / total stake (jackpot excluded)
    limits: StakeLimits

    def settle(self, stake_minor: int) -> int:
        """The win in minor units for this stake, floored (jackpot paid from its pool)."""
        check_stake(self.limits, stake_minor)
        return stake_minor * self.win_multiplier.numerator // self.win_multiplier.denominator


class SlotGame:
    """A slot machine built from its data file; pure and stateless between rounds."""

    def __init__(self, definition: SlotDefinition) -> None:
        self.definition = definition
        self._paytable: Mapping[str, tuple[int, ...]] = dict(definition.paytable)
        # Tables for play (a round is evaluated on the server's event loop, so it is worth
        # being quick): what each reel shows at each stop, and per payline the positions of
        # its symbols in the window read row by row.
        rows, reel_count = definition.rows, len(definition.reels)
        self._columns = tuple(
            tuple(
                tuple(strip[(stop + row) % len(strip)] for row in range(rows))
                for stop in range(len(strip))
            )
            for strip in definition.reels
        )
        self._line_symbols = tuple(
            itemgetter(*(row * reel_count + reel for reel, row in enumerate(line)))
            for line in definition.paylines
        )
        # A line's win depends only on its five symbols, and a few thousand combinations
        # make up nearly every line played; the bound keeps a strange game's memory flat.
        self._line_pays: dict[tuple[str, ...], tuple[str, int, int] | None] = {}

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> SlotGame:
        """Validate a parsed ``games/<id>.toml``; ``GameDefinitionError`` names the bad field."""
        return cls(parse_definition(data))

    @property
    def game_id(self) -> str:
        """The game's id, e.g. ``"lotus-20"``."""
        return self.definition.game_id

    @property
    def line_count(self) -> int:
        """Number of paylines; the stake is a whole multiple of it."""
        return len(self.definition.paylines)

    def check_stake(self, stake_minor: int) -> None:
        """Raise ``InvalidBet`` unless this stake may be played."""
        check_stake(self.definition.stake, stake_minor)

    def jackpot_contribution_minor(self, stake_minor: int) -> int:
        """The share of a stake that funds the jackpot pool, floored to the minor unit."""
        self.check_stake(stake_minor)
        jackpot = self.definition.jackpot
        if jackpot is None:
            return 0
        return stake_minor * jackpot.contribution_bps // BASIS_POINTS

    def window_at(self, stops: Sequence[int]) -> Window:
        """The symbols shown for these stops: rows top to bottom, each reel left to right."""
        columns = self._columns
        if len(stops) != len(columns):
            raise ValueError(f"expected {len(columns)} stops, got {len(stops)}")
        # The spec's strip[(stop + row) % len(strip)], from the table built at start.
        shown = [column[stop] for column, stop in zip(columns, stops, strict=True)]
        return tuple(zip(*shown, strict=True))

    def line_win(self, line: int, symbols: Sequence[str]) -> LineWin | None:
        """The highest left-to-right win of five symbols on a line (a tie goes to the symbol)."""
        wild = self.definition.wild
        wild_symbol = wild.symbol if wild is not None else None
        leading_wilds = 0
        while leading_wilds < len(symbols) and symbols[leading_wilds] == wild_symbol:
            leading_wilds += 1
        best: LineWin | None = None
        if wild is not None and wild.pays[leading_wilds] > 0:
            best = LineWin(line, wild.symbol, leading_wilds, wild.pays[leading_wilds])
        if leading_wilds < len(symbols) and symbols[leading_wilds] in self._paytable:
            first = symbols[leading_wilds]
            count = leading_wilds
            while count < len(symbols) and symbols[count] in (first, wild_symbol):
                count += 1
            pay = self._paytable[first][count]
            if pay > 0 and (best is None or pay >= best.pay):
                best = LineWin(line, first, count, pay)
        return best

    def evaluate(self, stops: Sequence[int], multiplier: int = 1) -> Spin:
        """Everything one spin at these stops pays (``multiplier`` for free spins)."""
        window = self.window_at(stops)
        cells = tuple(symbol for row in window for symbol in row)
        wins = []
        line_pays = self._line_pays
        for index, symbols_of in enumerate(self._line_symbols):
            symbols = symbols_of(cells)
            paid = line_pays.get(symbols, _UNKNOWN)
            if paid is _UNKNOWN:
                win = self.line_win(index, symbols)
                paid = None if win is None else (win.symbol, win.count, win.pay)
                if len(line_pays) < _LINE_PAYS_CACHED_MAX:
                    line_pays[symbols] = paid
            if paid is not None:
                wins.append(LineWin(index, *paid))
        scatter_win = self._scatter_win(window)
        lines_pay = sum(win.pay for win in wins)
        scatter_pay = scatter_win.pay if scatter_win is not None else 0
        total = Fraction((lines_pay + scatter_pay * self.line_count) * multiplier, self.line_count)
        return Spin(tuple(stops), window, tuple(wins), scatter_win, total)

    def _scatter_win(self, window: Window) -> ScatterWin | None:
        scatter = self.definition.scatter
        if scatter is None:
            return None
        count = sum(row.count(scatter.symbol) for row in window)
        if scatter.pays[count] == 0 and scatter.awards[count] == 0:
            return None
        return ScatterWin(count, scatter.pays[count], scatter.awards[count])

    def spin(self, rng: RngSource, multiplier: int = 1) -> Spin:
        """Draw the five stops, left reel first, and evaluate them."""
        stops = tuple(rng.uniform(len(strip)) for strip in self.definition.reels)
        return self.evaluate(stops, multiplier)

    def play_round(self, rng: RngSource) -> SlotRound:
        """Play one paid round: base spin, then the jackpot draw, then the free spins."""
        base = self.spin(rng)
        jackpot = self.definition.jackpot
        jackpot_hit = jackpot is not None and rng.uniform(jackpot.odds) == 0
        free_spins = self._free_spins(rng, base)
        total = base.win_multiplier + sum((s.win_multiplier for s in free_spins), Fraction(0))
        return SlotRound(
            game_id=self.game_id,
            stops=base.stops,
            window=base.window,
            line_wins=base.line_wins,
            scatter_win=base.scatter_win,
            free_spins=free_spins,
            jackpot_hit=jackpot_hit,
            win_multiplier=total,
            limits=self.definition.stake,
        )

    def _free_spins(self, rng: RngSource, base: Spin) -> tuple[Spin, ...]:
        """Play awarded free spins; retriggers add spins until ``free_spins_max`` in total."""
        scatter = self.definition.scatter
        if scatter is None or base.scatter_win is None:
            return ()
        cap = scatter.free_spins_max
        awarded = min(base.scatter_win.free_spins, cap)
        played: list[Spin] = []
        while len(played) < awarded:
            spin = self.spin(rng, scatter.free_spin_multiplier)
            played.append(spin)
            if spin.scatter_win is not None:
                awarded = min(awarded + spin.scatter_win.free_spins, cap)
        return tuple(played)
