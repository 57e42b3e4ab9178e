"""The game catalogue: every game with its certified RTP and stake limits.

RTP is never computed at request time (a slot's PAR sheet takes seconds): the certified
figures of the shipped games live in ``croupier/data/games/catalogue.toml`` and
``tests/integration/test_catalogue_rtp.py`` recomputes each one. An operator's games folder
(``CROUPIER_GAMES_DIR``) brings its own ``catalogue.toml``, whose entries add to or replace
the shipped ones by id. Loading checks that every folder's catalogue lists every game file
beside it and that every entry has a file, so a server never starts with a catalogue that
lies by omission, nor shows a shipped game's figures for a replaced file.

Stake limits come from each game's own parser: per currency (``[limits.<CODE>]``) for slots
and roulette, the one currency of a blackjack table.

>>> percent_text(Fraction(36, 37))
'97.30%'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any, Final

from croupier.adapters.game_files import CATALOGUE_FILE, GameFiles, configured_game_files
from croupier.domain.errors import GameDefinitionError
from croupier.domain.games.blackjack_rules import parse_rules
from croupier.domain.games.holdem_config import TableConfig
from croupier.domain.games.instant import parse_roulette
from croupier.domain.games.slots import SlotGame
from croupier.domain.games.stakes import StakeRange

__all__ = [
    "CATALOGUE_FILE",
    "CatalogueGame",
    "GameCatalogue",
    "RtpBasis",
    "percent_text",
    "percent_value",
]

_PERCENT: Final = re.compile(r"^(100|[0-9]{1,2})\.[0-9]{2}%\Z")
_ENTRY_KEYS: Final = frozenset(
    {"version", "rtp_basis", "rtp", "rtp_min_stake", "house_edge", "rules_sha256", "std_dev"}
)
#: A standard deviation per unit of stake, e.g. "5.84" (reports: the RTP interval).
_STD_DEV: Final = re.compile(r"^[0-9]{1,4}\.[0-9]{2}\Z")


class RtpBasis(StrEnum):
    """Where a published RTP comes from."""

    EXACT = "exact"  # enumerated exactly (slot PAR sheet, roulette 36/37)
    SIMULATED = "simulated"  # a documented simulation (blackjack under basic strategy)
    NONE = "none"  # no RTP: players play each other (poker; the house takes rake)


@dataclass(frozen=True, slots=True)
class CatalogueGame:
    """One game as the lobby lists it. ``limits``: the stake limits in each currency the game
    plays in, per round (roulette: per bet), in that currency's minor units; empty: the game
    sets none (poker). ``currency``: the only currency of ``limits`` (or of a poker table),
    ``None`` when there are several; ``stake_min_minor``/``stake_max_minor``: the smallest
    minimum and the largest maximum over ``limits``, the range the RTP figures cover."""

    game_id: str
    kind: str
    name: str
    version: int
    rtp_basis: RtpBasis
    rtp: str | None
    rtp_min_stake: str | None
    house_edge: str | None
    rules_sha256: str | None
    currency: str | None
    stake_min_minor: int | None
    stake_max_minor: int | None
    limits: Mapping[str, StakeRange]
    #: The return's standard deviation per unit of stake, rounded up (never understated):
    #: what the back office's RTP report sizes its interval with. ``None``: not published.
    std_dev: str | None = None


def percent_text(value: Fraction) -> str:
    """An exact ratio as a percentage with two decimals, rounded half to even."""
    hundredths = round(value * 10_000)
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def percent_value(text: str) -> Decimal:
    """``"94.81%"`` as ``Decimal("94.81")``; ``GameDefinitionError`` if malformed."""
    if not isinstance(text, str) or not _PERCENT.match(text):
        raise GameDefinitionError(f"a percentage looks like '94.81%', got {text!r}")
    return Decimal(text.removesuffix("%"))


class GameCatalogue:
    """The loaded catalogue, in id order."""

    def __init__(self, games: tuple[CatalogueGame, ...]) -> None:
        self.games = games

    @classmethod
    def load(cls, files: GameFiles | None = None) -> GameCatalogue:
        """Read every folder's ``catalogue.toml`` and every game file (``files``: the
        configured ones by default); refuse any mismatch between them."""
        files = files or configured_game_files()
        entries, where = _merged_entries(files)
        present = set(files.game_ids())
        games = []
        for game_id in sorted(entries):
            if game_id not in present:
                raise GameDefinitionError(f"{where[game_id]}: games.{game_id} has no game file")
            games.append(_game(game_id, entries[game_id], files.load(game_id)))
        return cls(tuple(games))

    def get(self, game_id: str) -> CatalogueGame | None:
        """The entry of one game, if listed."""
        return next((game for game in self.games if game.game_id == game_id), None)


def _merged_entries(
    files: GameFiles,
) -> tuple[dict[str, Mapping[str, Any]], dict[str, str]]:
    """Every folder's entries, a later folder's replacing an earlier one's by id, with the
    catalogue file each came from. Each folder must list the game files beside it."""
    entries: dict[str, Mapping[str, Any]] = {}
    where: dict[str, str] = {}
    for catalogue in files.catalogues():
        if catalogue.entries is None:
            if catalogue.game_ids:
                listed = ", ".join(sorted(catalogue.game_ids))
                raise GameDefinitionError(
                    f"{catalogue.where}: missing; it must list the game file(s) {listed}"
                )
            continue
        if not isinstance(catalogue.entries, Mapping):
            raise GameDefinitionError(f"{catalogue.where}: [games] must be a table")
        missing = sorted(catalogue.game_ids - set(catalogue.entries))
        if missing:
            raise GameDefinitionError(
                f"{catalogue.where}: no entry for game file(s) {', '.join(missing)}"
            )
        for game_id, entry in catalogue.entries.items():
            if not isinstance(entry, Mapping):
                raise GameDefinitionError(f"{catalogue.where}: games.{game_id} must be a table")
            entries[game_id], where[game_id] = entry, catalogue.where
    return entries, where


def _game(game_id: str, entry: Mapping[str, Any], data: Mapping[str, Any]) -> CatalogueGame:
    where = f"games.{game_id}"
    if "builtin" in entry:  # roulette's entry before it had a game file
        raise GameDefinitionError(
            f"{where}.builtin: every game has a game file now (roulette: european-roulette.toml)"
        )
    unknown = sorted(set(entry) - _ENTRY_KEYS)
    if unknown:
        raise GameDefinitionError(f"{where}.{unknown[0]}: unknown key")
    try:
        basis = RtpBasis(str(entry.get("rtp_basis")))
    except ValueError:
        raise GameDefinitionError(f"{where}.rtp_basis: one of exact, simulated, none") from None
    kind = str(data.get("kind", ""))
    try:
        currency, limits = _limits(kind, data)
    except GameDefinitionError as error:  # the parsers name the field; this, the game
        raise GameDefinitionError(f"game {game_id}: {error}") from None
    rtp, rtp_min, edge = (entry.get(key) for key in ("rtp", "rtp_min_stake", "house_edge"))
    for key, value in (("rtp", rtp), ("rtp_min_stake", rtp_min), ("house_edge", edge)):
        if value is not None and not _PERCENT.match(str(value)):
            raise GameDefinitionError(f"{where}.{key}: a percentage like '94.81%', got {value!r}")
    std_dev = entry.get("std_dev")
    if std_dev is not None and not _STD_DEV.match(str(std_dev)):
        raise GameDefinitionError(f"{where}.std_dev: a decimal like '5.84', got {std_dev!r}")
    if (rtp is None) != (basis is RtpBasis.NONE):
        raise GameDefinitionError(f"{where}.rtp: required unless rtp_basis is 'none'")
    version = data.get("version", entry.get("version"))
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise GameDefinitionError(f"{where}.version: a positive integer (file or catalogue)")
    return CatalogueGame(
        game_id=game_id,
        kind=kind,
        name=str(data.get("name", game_id)),
        version=version,
        rtp_basis=basis,
        rtp=rtp,
        rtp_min_stake=rtp_min,
        house_edge=edge,
        rules_sha256=entry.get("rules_sha256"),
        currency=currency if currency is not None or len(limits) != 1 else next(iter(limits)),
        stake_min_minor=min((r.min_minor for r in limits.values()), default=None),
        stake_max_minor=max((r.max_minor for r in limits.values()), default=None),
        limits=limits,
        std_dev=None if std_dev is None else str(std_dev),
    )


def _limits(kind: str, data: Mapping[str, Any]) -> tuple[str | None, dict[str, StakeRange]]:
    """(a poker table's currency, the stake limits by currency) as each game's own parser
    validates them."""
    if kind == "slots":
        return None, dict(SlotGame.from_data(data).definition.limits.by_currency)
    if kind == "roulette":
        return None, dict(parse_roulette(data).limits.by_currency)
    if kind == "blackjack":
        rules = parse_rules(data)
        return None, {rules.currency: StakeRange(rules.stake_min_minor, rules.stake_max_minor)}
    if kind == "holdem":
        TableConfig.from_dict(data)  # validated; a table has blinds, not stake limits
        currency = data.get("currency")
        return (currency if isinstance(currency, str) else None), {}
    raise GameDefinitionError(f"kind: no catalogue support for {kind!r}")
