"""A slot game's definition: the validated, immutable form of ``games/<id>.toml``.

:func:`parse_definition` turns the dict from the TOML file into a :class:`SlotDefinition`
or raises :class:`~croupier.domain.errors.GameDefinitionError` naming the offending field,
e.g. ``paytable.K[5]: expected a non-negative integer``. The format is documented, with an
annotated example, in ``docs/games.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from croupier.domain.errors import GameDefinitionError
from croupier.domain.games.stakes import CurrencyLimits, parse_limits

__all__ = [
    "COUNTS",
    "REEL_COUNT",
    "SYMBOLS_MAX",
    "JackpotRule",
    "ScatterRule",
    "SlotDefinition",
    "StakeLimits",
    "WildRule",
    "parse_definition",
]

#: Every game has exactly five reels (the fast evaluator packs a line into 5 × 4 bits).
REEL_COUNT = 5
#: At most 16 distinct symbols, so a symbol fits in 4 bits.
SYMBOLS_MAX = 16
#: The "n of a kind" counts a pay table may name.
COUNTS = (2, 3, 4, 5)
ROWS_MAX = 5
STRIP_LENGTH_MAX = 64  # the fast evaluator tabulates reels 1-3: 64**3 combinations
PAY_MAX = 100_000
FREE_SPINS_MAX_CAP = 250  # the exact feature solver is quadratic in the cap
ODDS_MAX = 2**32
BASIS_POINTS = 10_000

_SYMBOL = re.compile(r"^[A-Za-z0-9_]{1,8}\Z")
_TOP_LEVEL = {
    "id",
    "name",
    "version",
    "kind",
    "rows",
    "reels",
    "paylines",
    "paytable",
    "wild",
    "scatter",
    "jackpot",
    "limits",
}


@dataclass(frozen=True)
class StakeLimits:
    """Total stake per spin, in minor units; always a multiple of ``line_count``. The range
    the maths holds for: the envelope of the game's limits over every currency."""

    min_minor: int
    max_minor: int
    line_count: int


@dataclass(frozen=True)
class WildRule:
    """The wild substitutes for every symbol but the scatter; ``pays[n]`` for n wilds alone."""

    symbol: str
    pays: tuple[int, ...]


@dataclass(frozen=True)
class ScatterRule:
    """Scatter pays ``pays[n]`` × TOTAL stake for n anywhere; ``awards[n]`` free spins."""

    symbol: str
    pays: tuple[int, ...]
    awards: tuple[int, ...]
    free_spin_multiplier: int
    free_spins_max: int


@dataclass(frozen=True)
class JackpotRule:
    """Hit when a separate ``uniform(odds)`` draw is 0: probability ``1/odds`` at every stake."""

    odds: int
    seed_minor: int
    contribution_bps: int


@dataclass(frozen=True)
class SlotDefinition:
    """A validated slot game. Pays are indexed by count: ``paytable["K"][5]``."""

    game_id: str
    name: str
    version: int
    rows: int
    reels: tuple[tuple[str, ...], ...]
    paylines: tuple[tuple[int, ...], ...]
    paytable: Mapping[str, tuple[int, ...]] = field(hash=False)
    wild: WildRule | None
    scatter: ScatterRule | None
    jackpot: JackpotRule | None
    stake: StakeLimits
    #: What a player may stake in each currency (each within ``stake``).
    limits: CurrencyLimits = field(hash=False)

    @property
    def symbols(self) -> tuple[str, ...]:
        """Every symbol on the reels, sorted (the fast evaluator's symbol codes)."""
        return tuple(sorted({symbol for strip in self.reels for symbol in strip}))


def _fail(path: str, message: str) -> GameDefinitionError:
    return GameDefinitionError(f"{path}: {message}")


def _table(data: Mapping[str, object], key: str, path: str) -> Mapping[str, object]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise _fail(path, "expected a table")
    return value


def _integer(value: object, path: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        kind = "a non-negative integer" if low == 0 else "an integer"
        raise _fail(path, f"expected {kind} in [{low}, {high}], got {value!r}")
    return value


def _text(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, "expected a non-empty string")
    return value


def _symbol(value: object, path: str) -> str:
    if not isinstance(value, str) or not _SYMBOL.match(value):
        raise _fail(path, f"expected a symbol name (1-8 of A-Z a-z 0-9 _), got {value!r}")
    return value


def _only_keys(table: Mapping[str, object], allowed: set[str], path: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _fail(f"{path}{unknown[0]}", "unknown field")


def _pays(value: object, path: str, high: int = PAY_MAX) -> tuple[int, ...]:
    """``{ 3 = 5, 4 = 20, 5 = 100 }`` → a tuple indexed by count 0..5 (absent counts pay 0)."""
    if not isinstance(value, Mapping):
        raise _fail(path, "expected a table of count = pay, e.g. { 3 = 5, 4 = 20, 5 = 100 }")
    pays = [0] * (REEL_COUNT + 1)
    for key, pay in value.items():
        if key not in {str(count) for count in COUNTS}:
            raise _fail(f"{path}[{key}]", "the count must be 2, 3, 4 or 5")
        pays[int(key)] = _integer(pay, f"{path}[{key}]", 0, high)
    return tuple(pays)


def _reels(data: Mapping[str, object], rows: int) -> tuple[tuple[str, ...], ...]:
    reels = data.get("reels")
    if not isinstance(reels, list) or len(reels) != REEL_COUNT:
        raise _fail("reels", f"expected a list of {REEL_COUNT} reel strips")
    result = []
    for index, strip in enumerate(reels):
        path = f"reels[{index}]"
        if not isinstance(strip, list) or not rows <= len(strip) <= STRIP_LENGTH_MAX:
            raise _fail(path, f"expected a list of {rows} to {STRIP_LENGTH_MAX} symbols")
        result.append(tuple(_symbol(s, f"{path}[{i}]") for i, s in enumerate(strip)))
    distinct = {symbol for strip in result for symbol in strip}
    if len(distinct) > SYMBOLS_MAX:
        raise _fail("reels", f"at most {SYMBOLS_MAX} distinct symbols, found {len(distinct)}")
    return tuple(result)


def _paylines(data: Mapping[str, object], rows: int) -> tuple[tuple[int, ...], ...]:
    lines = data.get("paylines")
    if not isinstance(lines, list) or not 1 <= len(lines) <= 100:
        raise _fail("paylines", "expected a list of 1 to 100 lines")
    result: list[tuple[int, ...]] = []
    for index, line in enumerate(lines):
        path = f"paylines[{index}]"
        if not isinstance(line, list) or len(line) != REEL_COUNT:
            raise _fail(path, f"expected {REEL_COUNT} row indexes, one per reel")
        parsed = tuple(_integer(row, f"{path}[{i}]", 0, rows - 1) for i, row in enumerate(line))
        if parsed in result:
            raise _fail(path, f"duplicates paylines[{result.index(parsed)}]")
        result.append(parsed)
    return tuple(result)


def _paytable(data: Mapping[str, object], on_reels: set[str]) -> dict[str, tuple[int, ...]]:
    table = _table(data, "paytable", "paytable")
    result = {}
    for symbol, pays in table.items():
        path = f"paytable.{symbol}"
        _symbol(symbol, path)
        if symbol not in on_reels:
            raise _fail(path, "symbol is on no reel")
        result[symbol] = _pays(pays, path)
    if not result:
        raise _fail("paytable", "expected at least one paying symbol")
    return result


def _wild(data: Mapping[str, object], on_reels: set[str], paying: set[str]) -> WildRule | None:
    if "wild" not in data:
        return None
    table = _table(data, "wild", "wild")
    _only_keys(table, {"symbol", "pays"}, "wild.")
    symbol = _symbol(table.get("symbol"), "wild.symbol")
    if symbol not in on_reels or symbol in paying:
        raise _fail("wild.symbol", "must be on a reel and not in the paytable")
    return WildRule(symbol, _pays(table.get("pays", {}), "wild.pays"))


def _scatter_spacing(symbol: str, reels: tuple[tuple[str, ...], ...], rows: int) -> None:
    """A reel shows at most one scatter, so a window holds at most five."""
    for index, strip in enumerate(reels):
        length = len(strip)
        spots = [i for i, s in enumerate(strip) if s == symbol]
        for a, b in zip(spots, spots[1:] + spots[:1], strict=True):
            if len(spots) > 1 and (b - a) % length < rows:
                raise _fail(f"reels[{index}][{b}]", f"scatters must be at least {rows} apart")


def _scatter(
    data: Mapping[str, object],
    reels: tuple[tuple[str, ...], ...],
    rows: int,
    paying: set[str],
    wild: WildRule | None,
) -> ScatterRule | None:
    if "scatter" not in data:
        return None
    table = _table(data, "scatter", "scatter")
    allowed = {"symbol", "pays", "free_spins", "free_spin_multiplier", "free_spins_max"}
    _only_keys(table, allowed, "scatter.")
    symbol = _symbol(table.get("symbol"), "scatter.symbol")
    on_reels = {s for strip in reels for s in strip}
    if symbol not in on_reels or symbol in paying:
        raise _fail("scatter.symbol", "must be on a reel and not in the paytable")
    if wild is not None and wild.symbol == symbol:
        raise _fail("scatter.symbol", "the scatter cannot also be the wild")
    _scatter_spacing(symbol, reels, rows)
    return ScatterRule(
        symbol=symbol,
        pays=_pays(table.get("pays", {}), "scatter.pays"),
        awards=_pays(table.get("free_spins", {}), "scatter.free_spins", FREE_SPINS_MAX_CAP),
        free_spin_multiplier=_integer(
            table.get("free_spin_multiplier", 1), "scatter.free_spin_multiplier", 1, 100
        ),
        free_spins_max=_integer(
            table.get("free_spins_max", 0), "scatter.free_spins_max", 0, FREE_SPINS_MAX_CAP
        ),
    )


def _jackpot(data: Mapping[str, object]) -> JackpotRule | None:
    if "jackpot" not in data:
        return None
    table = _table(data, "jackpot", "jackpot")
    _only_keys(table, {"odds", "seed_minor", "contribution_bps"}, "jackpot.")
    return JackpotRule(
        odds=_integer(table.get("odds"), "jackpot.odds", 1, ODDS_MAX),
        seed_minor=_integer(table.get("seed_minor"), "jackpot.seed_minor", 0, 10**15),
        contribution_bps=_integer(
            table.get("contribution_bps"), "jackpot.contribution_bps", 0, BASIS_POINTS
        ),
    )


def _limits(data: Mapping[str, object], line_count: int) -> tuple[StakeLimits, CurrencyLimits]:
    limits = parse_limits(data, multiple_of=line_count)
    envelope = limits.envelope
    return StakeLimits(envelope.min_minor, envelope.max_minor, line_count), limits


def parse_definition(data: Mapping[str, object]) -> SlotDefinition:
    """Validate the TOML dict of a slot game; ``GameDefinitionError`` names the bad field."""
    if not isinstance(data, Mapping):
        raise GameDefinitionError("a slot definition must be a table")
    if "stake" in data:  # the single-currency [stake] table of earlier versions
        raise _fail(
            "stake",
            "replaced by one [limits.<CURRENCY>] table per currency, e.g. [limits.EUR] with "
            "stake_min_minor and stake_max_minor (docs/games.md)",
        )
    _only_keys(data, _TOP_LEVEL, "")
    if data.get("kind") != "slots":
        raise _fail("kind", f"expected 'slots', got {data.get('kind')!r}")
    rows = _integer(data.get("rows"), "rows", 1, ROWS_MAX)
    reels = _reels(data, rows)
    on_reels = {symbol for strip in reels for symbol in strip}
    paytable = _paytable(data, on_reels)
    wild = _wild(data, on_reels, set(paytable))
    paylines = _paylines(data, rows)
    scatter = _scatter(data, reels, rows, set(paytable), wild)
    if scatter is not None and any(scatter.awards) and scatter.free_spins_max == 0:
        raise _fail("scatter.free_spins_max", "free spins need a cap of at least 1")
    game_id = _text(data.get("id"), "id")
    stake, limits = _limits(data, len(paylines))
    return SlotDefinition(
        game_id=game_id,
        name=_text(data.get("name"), "name"),
        version=_integer(data.get("version"), "version", 1, 10**6),
        rows=rows,
        reels=reels,
        paylines=paylines,
        paytable=paytable,
        wild=wild,
        scatter=scatter,
        jackpot=_jackpot(data),
        stake=stake,
        limits=limits,
    )
