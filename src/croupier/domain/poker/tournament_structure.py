"""A tournament's structure as checked data: blinds, breaks, re-buys, add-on and payouts.

Structures ship as ``croupier/data/games/tournaments/*.toml`` (read by
``croupier.adapters.tournament_files``); this module parses and validates them and refuses
inconsistent data with a message naming the field. Chips (blinds, stacks) are tournament
chips, plain integers; money (buy-in, fee, prices, guarantee) is integer minor units.

Payout tables are bands by field size; each band lists paid places as ``[first, last,
basis_points_each]`` rows, e.g. ``[4, 6, 800]`` pays places 4, 5 and 6 8 % of the pool
each. A band's places sum to exactly 10,000 basis points (100 %).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
from typing import Any

from croupier.domain.errors import GameDefinitionError

__all__ = [
    "AddOnRule",
    "Break",
    "Level",
    "LevelPosition",
    "PayoutBand",
    "RebuyRule",
    "TournamentKind",
    "TournamentStructure",
    "parse_structure",
    "structure_from_dict",
]

BASIS_POINTS_TOTAL = 10_000
SEATS_PER_TABLE_MIN = 2
SEATS_PER_TABLE_MAX = 9
ENTRIES_MAX = 100_000  # a bound on everything: no field is larger than this


class TournamentKind(StrEnum):
    """A sit-and-go starts when full; a multi-table tournament starts at its time."""

    SNG = "sng"
    MTT = "mtt"


def _int(
    data: Mapping[str, Any], key: str, minimum: int, where: str, default: int | None = None
) -> int:
    value = data.get(key, default)
    if value is None:
        raise GameDefinitionError(f"{where}: missing field {key!r}")
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise GameDefinitionError(f"{where}: {key} must be an integer >= {minimum}, got {value!r}")
    return value


def _only(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    if not isinstance(data, Mapping):
        raise GameDefinitionError(f"{where} must be a table, got {type(data).__name__}")
    unknown = set(data) - allowed
    if unknown:
        raise GameDefinitionError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")


@dataclass(frozen=True)
class Level:
    """One blind level. ``big_blind_ante`` means the big blind alone posts the ante (BBA)."""

    small_blind: int
    big_blind: int
    ante: int
    big_blind_ante: bool
    minutes: int


@dataclass(frozen=True)
class Break:
    """A break of ``minutes`` after level number ``after_level`` (levels count from 1)."""

    after_level: int
    minutes: int


@dataclass(frozen=True)
class RebuyRule:
    """Re-buys up to and including level ``until_level``, for players with at most
    ``stack_max`` chips (0 = only once busted); ``per_player_max`` bounds them."""

    until_level: int
    chips: int
    price_minor: int
    stack_max: int
    per_player_max: int


@dataclass(frozen=True)
class AddOnRule:
    """One add-on per player, offered from the start of level ``level`` to the end of the
    break after it (or the end of the level when no break follows)."""

    level: int
    chips: int
    price_minor: int


@dataclass(frozen=True)
class PayoutBand:
    """Payouts for fields of ``entries_min`` to ``entries_max``: basis points per place."""

    entries_min: int
    entries_max: int
    places_basis_points: tuple[int, ...]


@dataclass(frozen=True)
class LevelPosition:
    """Where the clock is: level number (from 1), and whether the break after it runs."""

    level: int
    on_break: bool
    next_change_s: int | None  # seconds from the start until the next change; None = never


@dataclass(frozen=True)
class TournamentStructure:
    """Everything that makes one tournament type; see the module docstring."""

    id: str
    name: str
    kind: TournamentKind
    currency: str
    seats_per_table: int
    buy_in_minor: int
    fee_minor: int
    guarantee_minor: int
    starting_stack: int
    entries_min: int
    entries_max: int
    late_registration_until_level: int
    levels: tuple[Level, ...]
    breaks: tuple[Break, ...]
    rebuy: RebuyRule | None
    add_on: AddOnRule | None
    payouts: tuple[PayoutBand, ...]

    def __post_init__(self) -> None:
        _check_structure(self)

    def level(self, number: int) -> Level:
        """Level ``number`` (from 1); past the last level the last one continues."""
        return self.levels[min(number, len(self.levels)) - 1]

    def break_after(self, level_number: int) -> Break | None:
        """The break that follows level ``level_number``, if any."""
        return next((item for item in self.breaks if item.after_level == level_number), None)

    def position_at(self, elapsed_s: int) -> LevelPosition:
        """The level (and break) ``elapsed_s`` seconds after the start.

        >>> s = parse_structure(_SAMPLE)
        >>> s.position_at(0), s.position_at(299).level, s.position_at(300).level
        (LevelPosition(level=1, on_break=False, next_change_s=300), 1, 2)
        """
        if elapsed_s < 0:
            raise GameDefinitionError(f"elapsed_s must be >= 0, got {elapsed_s}")
        clock_s = 0
        for number, level in enumerate(self.levels, start=1):
            clock_s += level.minutes * 60
            if elapsed_s < clock_s:
                return LevelPosition(number, False, clock_s)
            pause = self.break_after(number)
            if pause is not None and number < len(self.levels):
                clock_s += pause.minutes * 60
                if elapsed_s < clock_s:
                    return LevelPosition(number, True, clock_s)
        return LevelPosition(len(self.levels), False, None)

    def payout_band(self, entries: int) -> PayoutBand:
        """The payout band for a field of ``entries``."""
        for band in self.payouts:
            if band.entries_min <= entries <= band.entries_max:
                return band
        raise GameDefinitionError(f"{self.id}: no payout band for {entries} entries")


def _check_levels(levels: Sequence[Level], where: str) -> None:
    if not levels:
        raise GameDefinitionError(f"{where}: at least one level is needed")
    previous: Level | None = None
    for number, level in enumerate(levels, start=1):
        if not 0 < level.small_blind <= level.big_blind:
            raise GameDefinitionError(
                f"{where}: level {number} small blind {level.small_blind} must be "
                f"between 1 and the big blind {level.big_blind}"
            )
        if level.minutes < 1:
            raise GameDefinitionError(f"{where}: level {number} lasts at least one minute")
        if previous is not None and not (
            level.big_blind > previous.big_blind
            and level.small_blind >= previous.small_blind
            and level.ante >= previous.ante
        ):
            raise GameDefinitionError(
                f"{where}: level {number} must raise the big blind and never lower the small "
                f"blind or ante (blinds must increase)"
            )
        previous = level


def _check_payouts(structure: TournamentStructure, where: str) -> None:
    expected_min = structure.entries_min
    for band in structure.payouts:
        label = f"{where}: payout band {band.entries_min}-{band.entries_max}"
        if band.entries_min != expected_min or band.entries_max < band.entries_min:
            raise GameDefinitionError(
                f"{label} must start at {expected_min} (bands are contiguous from entries_min)"
            )
        places = band.places_basis_points
        if not places or len(places) > band.entries_min:
            raise GameDefinitionError(f"{label} pays {len(places)} places: 1 to entries_min")
        if sum(places) != BASIS_POINTS_TOTAL:
            raise GameDefinitionError(
                f"{label} sums to {sum(places)} basis points, not 10000 (100 %)"
            )
        if any(low > high for high, low in pairwise(places)) or places[-1] < 1:
            raise GameDefinitionError(f"{label}: each place pays at most the place above, > 0")
        expected_min = band.entries_max + 1
    if expected_min != structure.entries_max + 1:
        raise GameDefinitionError(
            f"{where}: payout bands must cover {structure.entries_min}-{structure.entries_max}"
        )


def _check_structure(structure: TournamentStructure) -> None:
    where = f"tournament {structure.id!r}"
    level_count = len(structure.levels)
    _check_levels(structure.levels, where)
    if not SEATS_PER_TABLE_MIN <= structure.seats_per_table <= SEATS_PER_TABLE_MAX:
        raise GameDefinitionError(f"{where}: seats_per_table must be 2 to 9")
    if not 2 <= structure.entries_min <= structure.entries_max <= ENTRIES_MAX:
        raise GameDefinitionError(f"{where}: need 2 <= entries_min <= entries_max <= {ENTRIES_MAX}")
    if structure.kind is TournamentKind.SNG:
        if structure.entries_min != structure.entries_max:
            raise GameDefinitionError(f"{where}: a sit-and-go has entries_min == entries_max")
        if structure.entries_max > structure.seats_per_table:
            raise GameDefinitionError(f"{where}: a sit-and-go fits one table")
        if structure.guarantee_minor or structure.rebuy or structure.add_on:
            raise GameDefinitionError(f"{where}: a sit-and-go has no guarantee, re-buy or add-on")
    if not 0 <= structure.late_registration_until_level <= level_count:
        raise GameDefinitionError(f"{where}: late_registration_until_level is 0 to {level_count}")
    seen: set[int] = set()
    for pause in structure.breaks:
        if not 1 <= pause.after_level < level_count or pause.after_level in seen:
            raise GameDefinitionError(
                f"{where}: a break follows one level 1 to {level_count - 1}, once"
            )
        seen.add(pause.after_level)
    if structure.rebuy is not None and not 1 <= structure.rebuy.until_level <= level_count:
        raise GameDefinitionError(f"{where}: rebuy.until_level is 1 to {level_count}")
    if structure.add_on is not None and not 1 <= structure.add_on.level <= level_count:
        raise GameDefinitionError(f"{where}: add_on.level is 1 to {level_count}")
    _check_payouts(structure, where)


def _levels(rows: object, where: str) -> tuple[Level, ...]:
    if not isinstance(rows, list):
        raise GameDefinitionError(f"{where}: levels must be an array of tables")
    levels = []
    for number, row in enumerate(rows, start=1):
        at = f"{where} level {number}"
        _only(row, {"small_blind", "big_blind", "ante", "big_blind_ante", "minutes"}, at)
        bba = row.get("big_blind_ante", False)
        if not isinstance(bba, bool):
            raise GameDefinitionError(f"{at}: big_blind_ante must be true or false")
        levels.append(
            Level(
                _int(row, "small_blind", 1, at),
                _int(row, "big_blind", 1, at),
                _int(row, "ante", 0, at, 0),
                bba,
                _int(row, "minutes", 1, at),
            )
        )
    return tuple(levels)


def _payouts(rows: object, where: str) -> tuple[PayoutBand, ...]:
    if not isinstance(rows, list) or not rows:
        raise GameDefinitionError(f"{where}: payouts must be a non-empty array of tables")
    bands = []
    for row in rows:
        _only(row, {"entries_min", "entries_max", "places"}, f"{where} payouts")
        at = f"{where} payout band {row.get('entries_min')}"
        places: list[int] = []
        for item in row.get("places", []):
            if not (isinstance(item, list) and len(item) == 3) or any(
                isinstance(v, bool) or not isinstance(v, int) for v in item
            ):
                raise GameDefinitionError(f"{at}: each place row is [first, last, basis_points]")
            first, last, points = item
            if first != len(places) + 1 or last < first:
                raise GameDefinitionError(f"{at}: place rows must run 1, 2, … without gaps")
            places.extend([points] * (last - first + 1))
        bands.append(
            PayoutBand(
                _int(row, "entries_min", 2, at), _int(row, "entries_max", 2, at), tuple(places)
            )
        )
    return tuple(bands)


_TOP_KEYS = {
    "id", "name", "kind", "currency", "seats_per_table", "buy_in_minor", "fee_minor",
    "guarantee_minor", "starting_stack", "entries_min", "entries_max",
    "late_registration_until_level", "levels", "breaks", "rebuy", "add_on", "payouts",
    "description",
}  # fmt: skip


def structure_from_dict(data: Mapping[str, Any]) -> TournamentStructure:
    """Build and check a structure from parsed TOML (unknown keys refused, naming them)."""
    where = f"tournament {data.get('id')!r}" if isinstance(data, Mapping) else "tournament"
    _only(data, _TOP_KEYS, where)
    try:
        kind = TournamentKind(str(data.get("kind")))
    except ValueError:
        raise GameDefinitionError(f"{where}: kind must be 'sng' or 'mtt'") from None
    for key in ("id", "name", "currency"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise GameDefinitionError(f"{where}: {key} must be a non-empty string")
    rebuy = None
    if "rebuy" in data:
        raw = data["rebuy"]
        _only(
            raw,
            {"until_level", "chips", "price_minor", "stack_max", "per_player_max"},
            f"{where} rebuy",
        )
        starting = _int(data, "starting_stack", 1, where)
        rebuy = RebuyRule(
            _int(raw, "until_level", 1, f"{where} rebuy"),
            _int(raw, "chips", 1, f"{where} rebuy"),
            _int(raw, "price_minor", 1, f"{where} rebuy"),
            _int(raw, "stack_max", 0, f"{where} rebuy", starting),
            _int(raw, "per_player_max", 1, f"{where} rebuy", 100),
        )
    add_on = None
    if "add_on" in data:
        raw = data["add_on"]
        _only(raw, {"level", "chips", "price_minor"}, f"{where} add_on")
        add_on = AddOnRule(
            _int(raw, "level", 1, f"{where} add_on"),
            _int(raw, "chips", 1, f"{where} add_on"),
            _int(raw, "price_minor", 1, f"{where} add_on"),
        )
    breaks = []
    for row in data.get("breaks", []):
        _only(row, {"after_level", "minutes"}, f"{where} break")
        breaks.append(Break(_int(row, "after_level", 1, where), _int(row, "minutes", 1, where)))
    return TournamentStructure(
        id=data["id"],
        name=data["name"],
        kind=kind,
        currency=data["currency"],
        seats_per_table=_int(data, "seats_per_table", 1, where),
        buy_in_minor=_int(data, "buy_in_minor", 1, where),
        fee_minor=_int(data, "fee_minor", 0, where, 0),
        guarantee_minor=_int(data, "guarantee_minor", 0, where, 0),
        starting_stack=_int(data, "starting_stack", 1, where),
        entries_min=_int(data, "entries_min", 1, where),
        entries_max=_int(data, "entries_max", 1, where),
        late_registration_until_level=_int(data, "late_registration_until_level", 0, where, 0),
        levels=_levels(data.get("levels"), where),
        breaks=tuple(breaks),
        rebuy=rebuy,
        add_on=add_on,
        payouts=_payouts(data.get("payouts"), where),
    )


def parse_structure(text: str) -> TournamentStructure:
    """Parse and check one structure file's TOML text (``GameDefinitionError`` if wrong)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise GameDefinitionError(f"tournament structure is not valid TOML: {error}") from None
    return structure_from_dict(data)


_SAMPLE = """
id = "sample"
name = "Sample"
kind = "sng"
currency = "EUR"
seats_per_table = 2
buy_in_minor = 100
starting_stack = 1000
entries_min = 2
entries_max = 2
levels = [
  {small_blind = 10, big_blind = 20, minutes = 5},
  {small_blind = 20, big_blind = 40, minutes = 5},
]
payouts = [{entries_min = 2, entries_max = 2, places = [[1, 1, 10000]]}]
"""
