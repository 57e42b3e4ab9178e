"""SQL shared by the SQLite and PostgreSQL engagement stores (``?`` placeholders; the
PostgreSQL adapter numbers them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from croupier.domain.engagement import DayActivity
from croupier.services.engagement.ports import DayDelta, PlayDelta, PlayerSummary

__all__ = [
    "ADD_DAY",
    "ADD_PLAY",
    "day_row",
    "play_row",
    "summaries_from_rows",
]

ADD_PLAY = (
    "INSERT INTO engagement_plays (player_id, game_id, rounds, stake_minor, last_played_ms) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (player_id, game_id) DO UPDATE SET "
    "rounds = engagement_plays.rounds + excluded.rounds, "
    "stake_minor = engagement_plays.stake_minor + excluded.stake_minor, "
    "last_played_ms = CASE WHEN excluded.last_played_ms > engagement_plays.last_played_ms "
    "THEN excluded.last_played_ms ELSE engagement_plays.last_played_ms END"
)
ADD_DAY = (
    "INSERT INTO engagement_days (player_id, day, rounds, stake_minor, late_night_rounds, "
    "deposits_minor) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (player_id, day) DO UPDATE SET "
    "rounds = engagement_days.rounds + excluded.rounds, "
    "stake_minor = engagement_days.stake_minor + excluded.stake_minor, "
    "late_night_rounds = engagement_days.late_night_rounds + excluded.late_night_rounds, "
    "deposits_minor = engagement_days.deposits_minor + excluded.deposits_minor"
)
#: The chosen players (a page by id, or one), then their last round and their recent days.
PLAYERS_PAGE = (
    "SELECT player_id FROM engagement_plays UNION SELECT player_id FROM engagement_days "
    "ORDER BY player_id LIMIT ?"
)
LAST_PLAYED = "SELECT player_id, MAX(last_played_ms) FROM engagement_plays WHERE player_id IN "
DAYS = (
    "SELECT player_id, day, rounds, stake_minor, late_night_rounds, deposits_minor "
    "FROM engagement_days WHERE day >= ? AND player_id IN "
)


def play_row(play: PlayDelta) -> tuple[Any, ...]:
    return (play.player_id, play.game_id, play.rounds, play.stake_minor, play.played_at_ms)


def day_row(delta: DayDelta) -> tuple[Any, ...]:
    a = delta.activity
    return (
        delta.player_id,
        a.day.isoformat(),
        a.rounds,
        a.stake_minor,
        a.late_night_rounds,
        a.deposits_minor,
    )


def summaries_from_rows(
    players: Sequence[str], lasts: Sequence[Sequence[Any]], days: Sequence[Sequence[Any]]
) -> list[PlayerSummary]:
    last_of = {row[0]: int(row[1]) for row in lasts if row[1] is not None}
    days_of: dict[str, list[DayActivity]] = {}
    for player_id, day, rounds, stake, late, deposits in days:
        activity = DayActivity(
            date.fromisoformat(day), int(rounds), int(stake), int(late), int(deposits)
        )
        days_of.setdefault(player_id, []).append(activity)
    return [
        PlayerSummary(p, last_of.get(p), tuple(sorted(days_of.get(p, []), key=lambda d: d.day)))
        for p in players
    ]
