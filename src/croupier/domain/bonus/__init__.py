"""The bonus engine's pure rules (issue 18, docs/bonuses.md): offers and their terms, the
wagering arithmetic and the stake split, and a player's bonus state. No I/O."""

from croupier.domain.bonus.state import BonusGrant, BonusState, Outcome, fold
from croupier.domain.bonus.terms import (
    DEFAULT_WEIGHTS,
    BonusKind,
    BonusPolicy,
    Offer,
    OfferTerms,
    WageringBase,
    parse_offer,
    policy_refusal,
)
from croupier.domain.bonus.wagering import (
    StakeSplit,
    contribution,
    conversion,
    match_amount,
    milestone,
    requirement,
    split_stake,
    split_win,
)

__all__ = [
    "DEFAULT_WEIGHTS",
    "BonusGrant",
    "BonusKind",
    "BonusPolicy",
    "BonusState",
    "Offer",
    "OfferTerms",
    "Outcome",
    "StakeSplit",
    "WageringBase",
    "contribution",
    "conversion",
    "fold",
    "match_amount",
    "milestone",
    "parse_offer",
    "policy_refusal",
    "requirement",
    "split_stake",
    "split_win",
]
