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
    ROUND_REASONS,
    StakeSplit,
    cashback_amount,
    cashback_period,
    contribution,
    conversion,
    match_amount,
    milestone,
    net_loss,
    requirement,
    split_stake,
    split_win,
)

__all__ = [
    "DEFAULT_WEIGHTS",
    "ROUND_REASONS",
    "BonusGrant",
    "BonusKind",
    "BonusPolicy",
    "BonusState",
    "Offer",
    "OfferTerms",
    "Outcome",
    "StakeSplit",
    "WageringBase",
    "cashback_amount",
    "cashback_period",
    "contribution",
    "conversion",
    "fold",
    "match_amount",
    "milestone",
    "net_loss",
    "parse_offer",
    "policy_refusal",
    "requirement",
    "split_stake",
    "split_win",
]
