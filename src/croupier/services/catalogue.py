"""The game catalogue: every shipped game with its certified RTP and stake limits.

RTP is never computed at request time (a slot's PAR sheet takes seconds): the certified
figures live in ``games/catalogue.toml`` and ``tests/integration/test_catalogue_rtp.py``
recomputes each one. Loading checks that every game file has an entry and every entry a
file (or is ``builtin``), so a server never starts with a catalogue that lies by omission.

>>> percent_text(Fraction(36, 37))
'97.30%'
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

from croupier.adapters.game_files import game_ids, games_dir, load_game_data
from croupier.domain.errors import GameDefinitionError
from croupier.domain.games.blackjack_rules import parse_rules
from croupier.domain.games.holdem_config import TableConfig
from croupier.domain.games.slots import SlotGame
from croupier.services.rounds import RoundLimits

__all__ = [
    "CATALOGUE_FILE",
    "CatalogueGame",
    "GameCatalogue",
    "RtpBasis",
    "percent_text",
    "percent_value",
]

#: The catalogue's own file in the games directory (it is not a game definition).
CATALOGUE_FILE: Final = "catalogue.toml"
_CATALOGUE_ID: Final = CATALOGUE_FILE.removesuffix(".toml")
_PERCENT: Final = re.compile(r"^(100|[0-9]{1,2})\.[0-9]{2}%\Z")
_ENTRY_KEYS: Final = frozenset(
    {"builtin", "kind", "name", "version", "rtp_basis", "rtp", "rtp_min_stake", "house_edge"}
    | {"rules_sha256"}
)


class RtpBasis(StrEnum):
    """Where a published RTP comes from."""

    EXACT = "exact"  # enumerated exactly (slot PAR sheet, roulette 36/37)
    SIMULATED = "simulated"  # a documented simulation (blackjack under basic strategy)
    NONE = "none"  # no RTP: players play each other (poker; the house takes rake)


@dataclass(frozen=True, slots=True)
class CatalogueGame:
    """One game as the lobby lists it. Stakes are per round, in minor units of ``currency``
    (``None`` currency: the player's own); ``None`` stakes: the game sets no limit."""

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
    def load(
        cls, directory: Path | None = None, round_limits: RoundLimits | None = None
    ) -> GameCatalogue:
        """Read ``catalogue.toml`` and every game file; refuse any mismatch between them."""
        directory = directory or games_dir()
        path = directory / CATALOGUE_FILE
        try:
            entries = tomllib.loads(path.read_text(encoding="utf-8")).get("games", {})
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise GameDefinitionError(f"{path}: {error}") from None
        if not isinstance(entries, Mapping):
            raise GameDefinitionError(f"{path}: [games] must be a table")
        files = {game_id for game_id in game_ids(directory) if game_id != _CATALOGUE_ID}
        missing = sorted(files - set(entries))
        if missing:
            raise GameDefinitionError(f"{path}: no entry for game file(s) {', '.join(missing)}")
        games = []
        for game_id in sorted(entries):
            entry = entries[game_id]
            if not isinstance(entry, Mapping):
                raise GameDefinitionError(f"{path}: games.{game_id} must be a table")
            builtin = entry.get("builtin", False) is True
            if not builtin and game_id not in files:
                raise GameDefinitionError(f"{path}: games.{game_id} has no game file")
            data = {} if builtin else load_game_data(game_id, directory)
            games.append(_game(game_id, entry, data, round_limits or RoundLimits()))
        return cls(tuple(games))

    def get(self, game_id: str) -> CatalogueGame | None:
        """The entry of one game, if listed."""
        return next((game for game in self.games if game.game_id == game_id), None)


def _game(
    game_id: str, entry: Mapping[str, Any], data: Mapping[str, Any], round_limits: RoundLimits
) -> CatalogueGame:
    where = f"games.{game_id}"
    unknown = sorted(set(entry) - _ENTRY_KEYS)
    if unknown:
        raise GameDefinitionError(f"{where}.{unknown[0]}: unknown key")
    try:
        basis = RtpBasis(str(entry.get("rtp_basis")))
    except ValueError:
        raise GameDefinitionError(f"{where}.rtp_basis: one of exact, simulated, none") from None
    kind = str(data.get("kind", entry.get("kind", "")))
    stakes = _stakes(kind, data) if data else _builtin_stakes(kind, round_limits)
    rtp, rtp_min, edge = (entry.get(key) for key in ("rtp", "rtp_min_stake", "house_edge"))
    for key, value in (("rtp", rtp), ("rtp_min_stake", rtp_min), ("house_edge", edge)):
        if value is not None and not _PERCENT.match(str(value)):
            raise GameDefinitionError(f"{where}.{key}: a percentage like '94.81%', got {value!r}")
    if (rtp is None) != (basis is RtpBasis.NONE):
        raise GameDefinitionError(f"{where}.rtp: required unless rtp_basis is 'none'")
    version = data.get("version", entry.get("version"))
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise GameDefinitionError(f"{where}.version: a positive integer (file or catalogue)")
    return CatalogueGame(
        game_id=game_id,
        kind=kind,
        name=str(data.get("name", entry.get("name", game_id))),
        version=version,
        rtp_basis=basis,
        rtp=rtp,
        rtp_min_stake=rtp_min,
        house_edge=edge,
        rules_sha256=entry.get("rules_sha256"),
        currency=stakes[0],
        stake_min_minor=stakes[1],
        stake_max_minor=stakes[2],
    )


def _builtin_stakes(kind: str, limits: RoundLimits) -> tuple[str | None, int | None, int | None]:
    """Built-in games take their limits from the rounds service (roulette: per bet)."""
    if kind == "roulette":
        return None, limits.roulette_stake_minor_min, limits.roulette_stake_minor_max
    return None, None, None


def _stakes(kind: str, data: Mapping[str, Any]) -> tuple[str | None, int | None, int | None]:
    """(currency, min, max) per round as each game's own parser validates them."""
    if kind == "slots":
        stake = SlotGame.from_data(data).definition.stake
        return None, stake.min_minor, stake.max_minor
    if kind == "blackjack":
        rules = parse_rules(data)
        return rules.currency, rules.stake_min_minor, rules.stake_max_minor
    if kind == "holdem":
        TableConfig.from_dict(data)  # validated; a table has blinds, not stake limits
        currency = data.get("currency")
        return (currency if isinstance(currency, str) else None), None, None
    raise GameDefinitionError(f"kind: no catalogue support for {kind!r}")
