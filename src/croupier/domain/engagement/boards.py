"""A leaderboard's definition (data, or the back office's), and what a round scores on it.

A definition says what is counted (``metric``), how a new value meets the kept one
(``operator``), which end is best (``sort``), which games count (``games``, empty: all), in
which currency money metrics are counted, and when the board starts afresh (``reset``, a
cron expression read by the service; the domain only checks it has five fields).

Metrics, each an integer (what a round adds or offers):

* ``win_multiplier``: the round's win ÷ stake, in hundredths (a 12.5× win is 1250);
* ``total_win``: the round's win in minor units (jackpot included);
* ``total_wagered``: the round's stake in minor units;
* ``rounds``: 1.

Operators: ``best`` keeps the better of the kept and the new value (a best single round),
``set`` keeps the newest, ``incr`` adds (a sum over the period).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from croupier.domain.errors import InvalidInput

__all__ = [
    "BOARD_ID",
    "METRICS",
    "OPERATORS",
    "SORTS",
    "LeaderboardDefinition",
    "RoundFacts",
    "metric_value",
    "parse_leaderboard",
]

BOARD_ID: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}\Z")
SORTS: Final = frozenset({"desc", "asc"})
OPERATORS: Final = frozenset({"best", "set", "incr"})
METRICS: Final = frozenset({"win_multiplier", "total_win", "total_wagered", "rounds"})
_MONEY_METRICS: Final = frozenset({"total_win", "total_wagered"})
_CURRENCY: Final = re.compile(r"^[A-Z]{3}\Z")
_GAMES_MAX: Final = 200
_METADATA_CHARS_MAX: Final = 4000
_KEYS: Final = frozenset(
    {"id", "title", "sort", "operator", "reset", "games", "metric", "currency", "metadata"}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class LeaderboardDefinition:
    id: str
    title: str
    sort: str
    operator: str
    reset: str  # cron, five fields, UTC
    metric: str
    games: frozenset[str] = frozenset()  # empty: every game
    currency: str | None = None  # required by money metrics: minor units of one currency
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def counts(self, facts: RoundFacts) -> bool:
        """Whether a round counts on this board (its game, and currency for money)."""
        if self.games and facts.game_id not in self.games:
            return False
        return self.currency is None or facts.currency == self.currency

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "sort": self.sort,
            "operator": self.operator,
            "reset": self.reset,
            "metric": self.metric,
            "games": sorted(self.games),
            "currency": self.currency,
            "metadata": dict(self.metadata),
        }


@dataclass(frozen=True, slots=True)
class RoundFacts:
    """What a settled round tells the boards (amounts in minor units)."""

    player_id: str
    game_id: str
    currency: str
    stake: int
    win: int


def metric_value(metric: str, facts: RoundFacts) -> int | None:
    """The round's value for ``metric``; ``None`` when it has none (a multiplier of a round
    without stake).

    >>> metric_value("win_multiplier", RoundFacts("p", "g", "EUR", stake=200, win=2500))
    1250
    """
    if metric == "rounds":
        return 1
    if metric == "total_wagered":
        return facts.stake
    if metric == "total_win":
        return facts.win
    if metric == "win_multiplier":
        return None if facts.stake <= 0 else facts.win * 100 // facts.stake
    raise InvalidInput(f"unknown metric {metric!r}")


def parse_leaderboard(raw: Mapping[str, Any], *, where: str) -> LeaderboardDefinition:
    """A checked definition from TOML or JSON; :class:`InvalidInput` names what is wrong."""

    def bad(message: str) -> InvalidInput:
        return InvalidInput(f"{where}: {message}")

    unknown = set(raw) - _KEYS
    if unknown:
        raise bad(f"unknown keys {sorted(unknown)}")
    board_id = raw.get("id")
    if not isinstance(board_id, str) or not BOARD_ID.match(board_id):
        raise bad("id must be 1 to 48 characters of a-z 0-9 -, starting with a letter or digit")
    if board_id.startswith("tournament-"):
        raise bad("ids starting tournament- are the tournaments' boards")
    choices = {"sort": SORTS, "operator": OPERATORS, "metric": METRICS}
    chosen = {}
    for key, allowed in choices.items():
        value = raw.get(key)
        if value not in allowed:
            raise bad(f"{key} must be one of {', '.join(sorted(allowed))}: {value!r}")
        chosen[key] = str(value)
    reset = raw.get("reset")
    if not isinstance(reset, str) or len(reset.split()) != 5 or len(reset) > 100:
        raise bad(f"reset must be a cron expression of five fields: {reset!r}")
    games = raw.get("games", [])
    if (
        not isinstance(games, list)
        or len(games) > _GAMES_MAX
        or not all(isinstance(game, str) and game for game in games)
    ):
        raise bad(f"games must be a list of up to {_GAMES_MAX} game ids")
    currency = raw.get("currency")
    if currency is not None and (not isinstance(currency, str) or not _CURRENCY.match(currency)):
        raise bad(f"currency must be an ISO 4217 code: {currency!r}")
    if chosen["metric"] in _MONEY_METRICS and currency is None:
        raise bad(f"metric {chosen['metric']} counts money: give its currency")
    title = raw.get("title", board_id)
    if not isinstance(title, str) or not 0 < len(title) <= 200:
        raise bad("title must be 1 to 200 characters")
    metadata = raw.get("metadata", {})
    if not isinstance(metadata, Mapping) or len(repr(metadata)) > _METADATA_CHARS_MAX:
        raise bad(f"metadata must be a table of at most {_METADATA_CHARS_MAX} characters")
    return LeaderboardDefinition(
        id=board_id,
        title=title,
        sort=chosen["sort"],
        operator=chosen["operator"],
        reset=reset,
        metric=chosen["metric"],
        games=frozenset(games),
        currency=currency,
        metadata=dict(metadata),
    )
