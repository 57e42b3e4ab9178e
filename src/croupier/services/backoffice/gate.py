"""The one place where account control and game switches stop play and payments.

:class:`PlayGate` is asked by the round service before a round starts or an action is taken,
and by the wallet before a deposit or withdrawal; a frozen or closed account gets
``AccountRestricted`` (403 ``account-restricted``), a disabled game ``GameDisabled`` (409
``game-disabled``), before anything moves. It reads the database each time (one indexed
lookup, both facts at once): a freeze takes effect in every process at once, with no cache to
expire. Reading the balance is not gated: a frozen player keeps, and may see, their money.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from croupier.domain.compliance.profile import KycStage
from croupier.domain.errors import AccountRestricted, GameDisabled
from croupier.services.backoffice.ports import BackofficeStore, PlayerStatus

if TYPE_CHECKING:
    from croupier.services.kyc.check import KycCheck

__all__ = ["PlayGate"]


class ResponsibleChecks(Protocol):
    """The player's own restrictions (``services/compliance/responsible.py``): exclusions,
    the session time limit, reality checks."""

    async def before_round(self, player_id: str) -> None: ...

    async def before_deposit(self, player_id: str) -> None: ...


class PlayGate:
    def __init__(self, store: BackofficeStore) -> None:
        self.store = store
        #: Responsible gambling (None: not checked); set by the composition root.
        self.responsible: ResponsibleChecks | None = None
        #: The KYC rule (``services/kyc/check.py``), set by the composition root.
        self.kyc: KycCheck | None = None

    async def before_round(self, player_id: str, game_id: str) -> None:
        """A new round of ``game_id``: the account must be active and the game enabled."""
        found = await self.store.restrictions(player_id, game_id)
        _require_active(found.status)
        if found.game_disabled:
            raise GameDisabled(
                f"game {game_id!r} is disabled by the operator: no new rounds "
                "(rounds already open can finish)"
            )
        if self.responsible is not None:
            await self.responsible.before_round(player_id)
        if self.kyc is not None:
            await self.kyc.require(player_id, KycStage.PLAY)

    async def before_deposit(self, player_id: str) -> None:
        """A deposit: as any payment, and not while the player is excluded (a withdrawal
        stays open to them: their money is theirs)."""
        await self.before_payment(player_id, "deposit")
        if self.responsible is not None:
            await self.responsible.before_deposit(player_id)

    async def before_action(self, player_id: str) -> None:
        """An action on an open round (the idle sweep, not the player, ends a frozen one's)."""
        _require_active((await self.store.restrictions(player_id, None)).status)

    async def before_payment(self, player_id: str, operation: str = "payment") -> None:
        """A deposit or a withdrawal (a replay too: a frozen account's money stays put). A
        deposit needs KYC where the profile says so; a withdrawal is never refused for it:
        it waits in the review queue (``services/kyc/hold.py``)."""
        _require_active((await self.store.restrictions(player_id, None)).status)
        if self.kyc is not None and operation == "deposit":
            await self.kyc.require(player_id, KycStage.DEPOSIT)


def _require_active(status: PlayerStatus) -> None:
    if status is PlayerStatus.FROZEN:
        raise AccountRestricted("this account is frozen: play and payments are suspended")
    if status is PlayerStatus.CLOSED:
        raise AccountRestricted("this account is closed")
