"""The withdrawal review queue: withdrawals above ``CROUPIER_WITHDRAWAL_REVIEW_ABOVE``, or of
a player flagged ``withdrawal-review``, wait for staff.

Such a withdrawal is reserved on the ledger like any other (the money stays reserved), marked
held in the reservation itself, and not sent to the payment provider (see
``WalletService.withdraw``). The queue is what the ledger holds open with that mark; the
staff's decision is a row here, taken by compare-and-set *before* anything else happens:

* **approve**: ``pending → approved``; then the provider is asked (with the player's own
  idempotency key) and the reservation posts (``→ paid``), or voids if the provider declines
  (``→ failed``). A crash after the decision leaves it ``approved``: approving it again
  finishes it (the provider deduplicates by the key, the ledger by the transfer ids), which
  is how a withdrawal cut off at the provider has always been finished.
* **decline**: ``pending → declined``; the reservation voids and the money returns. Declining
  again finishes a void a crash cut off.

A decided withdrawal cannot be decided the other way (``StateConflict``): an approved one may
already be paid, so it is never voided.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from croupier.domain.accounts.player import Player
from croupier.domain.compliance.profile import KycStage
from croupier.domain.errors import InvalidInput, NotFound, PaymentDeclined, StateConflict
from croupier.domain.ledger import Transfer, TransferKind
from croupier.services.accounts.ports import PlayerStore
from croupier.services.audit import AuditEntry, AuditTrail
from croupier.services.backoffice.limits import BackofficeLimits
from croupier.services.backoffice.ports import BackofficeStore, ReviewState, WithdrawalReview
from croupier.services.backoffice.staff_actor import check_reason, staff_identity
from croupier.services.ledger import LedgerClient
from croupier.services.wallet import WalletService, is_held

if TYPE_CHECKING:
    from croupier.services.kyc.check import KycCheck

__all__ = ["REVIEW_FLAG", "QueuedWithdrawal", "WithdrawalReviews"]

#: The account flag that sends every withdrawal of the player to review.
REVIEW_FLAG = "withdrawal-review"


@dataclass(frozen=True, slots=True)
class QueuedWithdrawal:
    intent_id: str
    player_id: str
    amount_minor: int
    currency: str
    requested_at_ms: int
    #: ``pending`` (waiting), or ``approved`` (being paid, or cut off while it was).
    state: ReviewState


class WithdrawalReviews:
    def __init__(
        self,
        store: BackofficeStore,
        players: PlayerStore,
        ledger: LedgerClient,
        wallet: WalletService,
        audit: AuditTrail,
        limits: BackofficeLimits,
        *,
        clock_ms: Callable[[], int],
    ) -> None:
        self.store = store
        self.players = players
        self.ledger = ledger
        self.wallet = wallet
        self.audit = audit
        self.limits = limits
        self._clock_ms = clock_ms
        #: The KYC rule (``services/kyc/check.py``), set by the composition root.
        self.kyc: KycCheck | None = None

    # -- the rule (WalletService's WithdrawalHold) ----------------------------------------
    async def needs_review(self, player: Player, amount_minor: int) -> bool:
        threshold = self.limits.minor_above(self.limits.withdrawal_review_above, player.currency)
        if amount_minor > threshold:
            return True
        control = await self.store.control(player.player_id)
        return control is not None and REVIEW_FLAG in control.flags

    # -- the queue ------------------------------------------------------------------------
    async def queue(self, *, limit: int = 50) -> list[QueuedWithdrawal]:
        """Held withdrawals not yet resolved on the ledger, oldest first."""
        if not 1 <= limit <= self.limits.page_size_max:
            raise InvalidInput(f"limit must be 1 to {self.limits.page_size_max}")
        held = sorted(
            (p for p in await self.ledger.open_pendings() if p.reason == "withdrawal"),
            key=lambda p: (p.timestamp_ms, p.id),
        )
        held = [p for p in held if is_held(p)][:limit]
        decided = await self.store.reviews([p.id for p in held])
        return [
            QueuedWithdrawal(
                p.id,
                _player_of(p.id),
                p.amount_minor,
                p.currency,
                p.timestamp_ms,
                decided[p.id].state if p.id in decided else ReviewState.PENDING,
            )
            for p in held
        ]

    async def review(self, intent_id: str) -> WithdrawalReview:
        """One held withdrawal and its decision so far."""
        return await self._review(intent_id)

    # -- decisions ------------------------------------------------------------------------
    async def approve(
        self, intent_id: str, *, actor: str, source_ip: str | None, reason: str
    ) -> Transfer:
        """Pay it out (see the module's docstring); ``PaymentDeclined`` if the provider
        declines, with the reservation voided."""
        staff_identity(actor)
        why = check_reason(reason)
        review = await self._review(intent_id)
        if self.kyc is not None and review.state is ReviewState.PENDING:
            # Held for KYC (or not): never paid to a player the profile wants verified first.
            await self.kyc.require(review.player_id, KycStage.WITHDRAWAL)
        if review.state is ReviewState.PENDING:
            if not await self._decide(review, ReviewState.APPROVED, actor, why):
                review = await self._review(intent_id)  # decided meanwhile: as it is now
            else:
                await self._record(actor, "withdrawal.approved", review, source_ip, why, "approved")
                review = await self._review(intent_id)
        if review.state not in (ReviewState.APPROVED, ReviewState.PAID):
            raise StateConflict(f"withdrawal {intent_id!r} is already {review.state}")
        player, key = await self._player_and_key(review)
        try:
            transfer = await self.wallet.pay_held(player, key)
        except PaymentDeclined:
            await self.store.decide_review(
                intent_id, from_states=(ReviewState.APPROVED,), to_state=ReviewState.FAILED
            )
            raise
        if transfer.kind is TransferKind.POST:  # else the outcome waits (services/payments)
            await self.store.decide_review(
                intent_id, from_states=(ReviewState.APPROVED,), to_state=ReviewState.PAID
            )
        return transfer

    async def decline(
        self, intent_id: str, *, actor: str, source_ip: str | None, reason: str
    ) -> Transfer:
        """Void the reservation: the money returns to the player."""
        staff_identity(actor)
        why = check_reason(reason)
        review = await self._review(intent_id)
        if review.state is ReviewState.PENDING:
            if await self._decide(review, ReviewState.DECLINED, actor, why):
                await self._record(actor, "withdrawal.declined", review, source_ip, why, "declined")
            review = await self._review(intent_id)
        if review.state is not ReviewState.DECLINED:
            raise StateConflict(f"withdrawal {intent_id!r} is already {review.state}")
        player, key = await self._player_and_key(review)
        return await self.wallet.void_held(player, key)

    # -- steps ---------------------------------------------------------------------------
    async def _review(self, intent_id: str) -> WithdrawalReview:
        """The review row of a held withdrawal, made the first time staff look at it."""
        if not isinstance(intent_id, str) or not intent_id.startswith("withdrawal:"):
            raise NotFound(f"no withdrawal {intent_id!r}")
        stored = await self.store.review(intent_id)
        if stored is not None:
            return stored
        intent = await self.ledger.transfer_by_id(intent_id)
        if intent is None or intent.reason != "withdrawal" or not is_held(intent):
            raise NotFound(f"no withdrawal held for review under {intent_id!r}")
        return await self.store.ensure_review(
            WithdrawalReview(
                intent_id,
                _player_of(intent_id),
                intent.amount_minor,
                intent.currency,
                intent.timestamp_ms,
                ReviewState.PENDING,
            )
        )

    async def _decide(
        self, review: WithdrawalReview, to_state: ReviewState, actor: str, reason: str
    ) -> bool:
        return await self.store.decide_review(
            review.intent_id,
            from_states=(ReviewState.PENDING,),
            to_state=to_state,
            by=actor,
            at_ms=self._clock_ms(),
            reason=reason,
        )

    async def _player_and_key(self, review: WithdrawalReview) -> tuple[Player, str]:
        player = await self.players.get_player(review.player_id)
        if player is None:
            raise NotFound(f"no player {review.player_id!r}")
        # withdrawal:<player>:<key>: a player id holds no ':' (PaymentIds), a key may.
        return player, review.intent_id.split(":", 2)[2]

    async def _record(
        self,
        actor: str,
        action: str,
        review: WithdrawalReview,
        source_ip: str | None,
        reason: str,
        decided: str,
    ) -> None:
        view: dict[str, Any] = {
            "intent_id": review.intent_id,
            "amount_minor": review.amount_minor,
            "currency": review.currency,
        }
        await self.audit.record(
            AuditEntry(
                actor=actor,
                action=action,
                subject=f"player:{review.player_id}",
                source_ip=source_ip,
                reason=reason,
                before={**view, "state": review.state.value},
                after={**view, "state": decided},
            )
        )


def _player_of(intent_id: str) -> str:
    return intent_id.split(":", 2)[1]
