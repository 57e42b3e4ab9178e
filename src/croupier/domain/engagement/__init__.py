"""Engagement: leaderboards and slot tournaments (docs/engagement.md). Pure: no IO, no clock."""

from croupier.domain.engagement.boards import (
    METRICS,
    OPERATORS,
    SORTS,
    LeaderboardDefinition,
    RoundFacts,
    metric_value,
    parse_leaderboard,
)
from croupier.domain.engagement.scores import (
    SCORE_MAX,
    TIME_BITS,
    TIME_MAX_S,
    decode_score,
    encode_score,
)

__all__ = [
    "METRICS",
    "OPERATORS",
    "SCORE_MAX",
    "SORTS",
    "TIME_BITS",
    "TIME_MAX_S",
    "LeaderboardDefinition",
    "RoundFacts",
    "decode_score",
    "encode_score",
    "metric_value",
    "parse_leaderboard",
]
