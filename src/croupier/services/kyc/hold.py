"""A withdrawal of a player not verified where the profile requires it waits in the review
queue, reserved (the issue's "a withdrawal waits"): wrapped around the review queue's own
rule, so staff see it in the same queue and decline it, or approve it once verified."""

from __future__ import annotations

from croupier.domain.accounts.player import Player
from croupier.domain.compliance.profile import KycStage
from croupier.services.kyc.check import KycCheck
from croupier.services.wallet import WithdrawalHold

__all__ = ["KycWithdrawalHold"]


class KycWithdrawalHold:
    def __init__(self, kyc: KycCheck, inner: WithdrawalHold | None) -> None:
        self.kyc = kyc
        self.inner = inner

    async def needs_review(self, player: Player, amount_minor: int) -> bool:
        if await self.kyc.needed(player.player_id, KycStage.WITHDRAWAL) is not None:
            return True
        return self.inner is not None and await self.inner.needs_review(player, amount_minor)
