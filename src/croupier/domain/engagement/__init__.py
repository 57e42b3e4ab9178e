"""Engagement (issue 18, docs/engagement.md): leaderboards and slot tournaments, player
segments and promotion eligibility. Pure: no IO; the clock comes in as an argument."""

from croupier.domain.engagement.boards import (
    METRICS,
    OPERATORS,
    SORTS,
    LeaderboardDefinition,
    RoundFacts,
    metric_value,
    parse_leaderboard,
)
from croupier.domain.engagement.promotions import (
    Ineligibility,
    PlayerStanding,
    ineligibility,
    promotion_eligible,
)
from croupier.domain.engagement.scores import (
    SCORE_MAX,
    TIME_BITS,
    TIME_MAX_S,
    decode_score,
    encode_score,
)
from croupier.domain.engagement.segments import (
    DayActivity,
    PlayerActivity,
    RiskSignal,
    Segment,
    SegmentRules,
    risk_signals,
    segments_of,
)

__all__ = [
    "METRICS",
    "OPERATORS",
    "SCORE_MAX",
    "SORTS",
    "TIME_BITS",
    "TIME_MAX_S",
    "DayActivity",
    "Ineligibility",
    "LeaderboardDefinition",
    "PlayerActivity",
    "PlayerStanding",
    "RiskSignal",
    "RoundFacts",
    "Segment",
    "SegmentRules",
    "decode_score",
    "encode_score",
    "ineligibility",
    "metric_value",
    "parse_leaderboard",
    "promotion_eligible",
    "risk_signals",
    "segments_of",
]
