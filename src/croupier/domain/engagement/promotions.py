"""Whether a promotion may reach a player: the rule the bonus engine asks before it offers
anything (issue 18: no promotion goes to a player with a responsible-gambling flag).

>>> promotion_eligible(PlayerStanding(), frozenset())
True
>>> promotion_eligible(PlayerStanding(aml_flagged=True), frozenset())
False
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from croupier.domain.engagement.segments import Segment

__all__ = ["Ineligibility", "PlayerStanding", "ineligibility", "promotion_eligible"]


@dataclass(frozen=True, slots=True)
class PlayerStanding:
    """What the services know of a player beyond their activity, at one instant."""

    self_excluded: bool = False  # a self-exclusion running now
    timed_out: bool = False  # a time-out (break from play) running now
    account_restricted: bool = False  # frozen or closed by staff
    aml_flagged: bool = False  # an open AML risk flag, or staff's ``aml-watch`` flag
    marketing_allowed: bool = True  # the player's own choice (cleared by a self-exclusion)


class Ineligibility(StrEnum):
    """Why nothing is offered, most serious first (the first that applies is reported)."""

    SELF_EXCLUDED = "self-excluded"
    TIMED_OUT = "timed-out"
    ACCOUNT_RESTRICTED = "account-restricted"
    AML_FLAGGED = "aml-flagged"
    AT_RISK = "at-risk"
    NO_MARKETING = "no-marketing"


def ineligibility(standing: PlayerStanding, segments: Collection[Segment]) -> Ineligibility | None:
    """The first reason no promotion may reach the player; ``None``: one may."""
    checks = (
        (standing.self_excluded, Ineligibility.SELF_EXCLUDED),
        (standing.timed_out, Ineligibility.TIMED_OUT),
        (standing.account_restricted, Ineligibility.ACCOUNT_RESTRICTED),
        (standing.aml_flagged, Ineligibility.AML_FLAGGED),
        (Segment.AT_RISK in segments, Ineligibility.AT_RISK),
        (not standing.marketing_allowed, Ineligibility.NO_MARKETING),
    )
    return next((reason for applies, reason in checks if applies), None)


def promotion_eligible(standing: PlayerStanding, segments: Collection[Segment]) -> bool:
    """False for a self-excluded, timed-out, restricted, AML-flagged or at-risk player, and
    one who refused marketing; True otherwise."""
    return ineligibility(standing, segments) is None
