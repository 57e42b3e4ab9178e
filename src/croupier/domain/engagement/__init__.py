"""Engagement rules (issue 18, personalisation): player segments and promotion eligibility.

Pure: the clock comes in as ``today``; the services read the activity and the standing."""

from croupier.domain.engagement.promotions import (
    Ineligibility,
    PlayerStanding,
    ineligibility,
    promotion_eligible,
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
    "DayActivity",
    "Ineligibility",
    "PlayerActivity",
    "PlayerStanding",
    "RiskSignal",
    "Segment",
    "SegmentRules",
    "ineligibility",
    "promotion_eligible",
    "risk_signals",
    "segments_of",
]
