"""KYC: the player's identity verification, its provider, and the one rule the play gate and
the withdrawal hold ask (docs/compliance.md, KYC)."""

from __future__ import annotations

from croupier.services.kyc.check import KycCheck, ProfileOf, RegisteredProfiles
from croupier.services.kyc.hold import KycWithdrawalHold
from croupier.services.kyc.ports import KycDecision, KycProvider, KycStore
from croupier.services.kyc.service import KycService, KycView, Sealer

__all__ = [
    "KycCheck",
    "KycDecision",
    "KycProvider",
    "KycService",
    "KycStore",
    "KycView",
    "KycWithdrawalHold",
    "ProfileOf",
    "RegisteredProfiles",
    "Sealer",
]
