"""A slot tournament: a time box, entrants (with an optional fee), a score rule on a game
list, a prize table, and the ledger ids of its money, fixed by its id so that every movement
is idempotent (docs/engagement.md):

* the pool, ``tournament:<id>`` (kind ``promotions``, floor 0), holds the fees;
* a fee: ``tournament:<id>:fee:<player>``, the player's cash → the pool;
* funding: ``tournament:<id>:funding``, ``tournament-prizes:<CUR>`` (kind ``promotions``,
  no floor: the operator's tally of what tournaments gave) → the pool, what the prizes need
  beyond the fees;
* a prize: ``tournament:<id>:prize:<place>``, the pool → the winner's cash;
* the remainder: ``tournament:<id>:remainder``, what the pool keeps after the prizes → back
  to ``promotions:<CUR>``.

>>> plan_prizes(["ann", "bob"], (500, 300, 100))
[(1, 'ann', 500), (2, 'bob', 300)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from croupier.domain.engagement.boards import METRICS, OPERATORS, SORTS, RoundFacts
from croupier.domain.engagement.scores import TIME_MAX_S
from croupier.domain.errors import InvalidInput

__all__ = [
    "TOURNAMENT_BOARD_PREFIX",
    "TOURNAMENT_ID",
    "TournamentDefinition",
    "fee_transfer_id",
    "funding_transfer_id",
    "parse_tournament",
    "plan_prizes",
    "pool_account",
    "prize_transfer_id",
    "prizes_account",
    "remainder_transfer_id",
]

#: A tournament's board is ``tournament-<id>``; no leaderboard id starts so.
TOURNAMENT_BOARD_PREFIX: Final = "tournament-"
TOURNAMENT_ID: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}\Z")
_CURRENCY: Final = re.compile(r"^[A-Z]{3}\Z")
_PLACES_MAX: Final = 100
_ENTRANTS_MAX: Final = 100_000
_ATTEMPTS_MAX: Final = 100_000
_AMOUNT_MAX: Final = 10**12  # minor units: a bound on any one prize or fee


@dataclass(frozen=True, slots=True, kw_only=True)
class TournamentDefinition:
    id: str
    title: str
    starts_at_ms: int
    ends_at_ms: int
    currency: str
    fee_minor: int
    entrants_max: int
    attempts_max: int  # rounds that count per entrant
    games: frozenset[str]
    metric: str
    operator: str
    sort: str
    prizes: tuple[int, ...]  # minor units by place, first place first

    @property
    def board_id(self) -> str:
        return f"{TOURNAMENT_BOARD_PREFIX}{self.id}"

    def counts(self, facts: RoundFacts, ts_ms: int) -> bool:
        return (
            self.starts_at_ms <= ts_ms < self.ends_at_ms
            and facts.game_id in self.games
            and facts.currency == self.currency
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "starts_at_ms": self.starts_at_ms,
            "ends_at_ms": self.ends_at_ms,
            "currency": self.currency,
            "fee_minor": self.fee_minor,
            "entrants_max": self.entrants_max,
            "attempts_max": self.attempts_max,
            "games": sorted(self.games),
            "metric": self.metric,
            "operator": self.operator,
            "sort": self.sort,
            "prizes": list(self.prizes),
        }


def _int(raw: Mapping[str, Any], key: str, low: int, high: int, where: str) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{where}: {key} must be an integer from {low} to {high}")
    return value


def parse_tournament(raw: Mapping[str, Any], *, where: str) -> TournamentDefinition:
    """A checked definition; :class:`InvalidInput` names what is wrong."""
    known = set(TournamentDefinition.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise InvalidInput(f"{where}: unknown keys {sorted(unknown)}")
    tournament_id = raw.get("id")
    if not isinstance(tournament_id, str) or not TOURNAMENT_ID.match(tournament_id):
        raise InvalidInput(f"{where}: id must be 1 to 48 characters of a-z 0-9 -")
    starts = _int(raw, "starts_at_ms", 0, 2**53, where)
    # the packed score's time part counts seconds since the start (scores.py)
    ends = _int(raw, "ends_at_ms", starts + 1, starts + TIME_MAX_S * 1000, where)
    currency = raw.get("currency")
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise InvalidInput(f"{where}: currency must be an ISO 4217 code")
    games = raw.get("games")
    if not isinstance(games, list) or not games or not all(isinstance(g, str) for g in games):
        raise InvalidInput(f"{where}: games must be a non-empty list of game ids")
    rule = {}
    for key, allowed in (("metric", METRICS), ("operator", OPERATORS), ("sort", SORTS)):
        if raw.get(key, "desc" if key == "sort" else None) not in allowed:
            raise InvalidInput(f"{where}: {key} must be one of {', '.join(sorted(allowed))}")
        rule[key] = str(raw.get(key, "desc"))
    prizes = raw.get("prizes")
    if (
        not isinstance(prizes, list)
        or not 1 <= len(prizes) <= _PLACES_MAX
        or not all(
            not isinstance(p, bool) and isinstance(p, int) and 0 < p <= _AMOUNT_MAX for p in prizes
        )
    ):
        raise InvalidInput(f"{where}: prizes must be 1 to {_PLACES_MAX} positive amounts")
    title = raw.get("title", tournament_id)
    if not isinstance(title, str) or not 0 < len(title) <= 200:
        raise InvalidInput(f"{where}: title must be 1 to 200 characters")
    return TournamentDefinition(
        id=tournament_id,
        title=title,
        starts_at_ms=starts,
        ends_at_ms=ends,
        currency=currency,
        fee_minor=_int(raw, "fee_minor", 0, _AMOUNT_MAX, where) if "fee_minor" in raw else 0,
        entrants_max=_int(raw, "entrants_max", 1, _ENTRANTS_MAX, where),
        attempts_max=_int(raw, "attempts_max", 1, _ATTEMPTS_MAX, where),
        games=frozenset(games),
        metric=rule["metric"],
        operator=rule["operator"],
        sort=rule["sort"],
        prizes=tuple(prizes),
    )


def plan_prizes(standings: Sequence[str], prizes: Sequence[int]) -> list[tuple[int, str, int]]:
    """``(place, player, amount)`` for each paid place that has a player."""
    paid = standings[: len(prizes)]
    return [(place, player, prizes[place - 1]) for place, player in enumerate(paid, start=1)]


def prizes_account(currency: str) -> str:
    return f"tournament-prizes:{currency}"


def pool_account(tournament_id: str) -> str:
    return f"tournament:{tournament_id}"


def fee_transfer_id(tournament_id: str, player_id: str) -> str:
    return f"tournament:{tournament_id}:fee:{player_id}"


def funding_transfer_id(tournament_id: str) -> str:
    return f"tournament:{tournament_id}:funding"


def prize_transfer_id(tournament_id: str, place: int) -> str:
    return f"tournament:{tournament_id}:prize:{place}"


def remainder_transfer_id(tournament_id: str) -> str:
    return f"tournament:{tournament_id}:remainder"
