"""Manual adjustments: staff credit or debit a player's cash on the ledger, with a reason code.

The money moves in one ledger transfer, ``adjustment:<request_id>``, between the player's cash
account and the house adjustments account of the currency (``adjustments:<CUR>``, kind
``adjustments``, no floor: it is the operator's own tally of what it gave and took back). A
debit never takes the player below zero: the ledger's floor refuses it (``InsufficientFunds``).

Above ``CROUPIER_ADJUSTMENT_APPROVAL_ABOVE`` an adjustment needs four eyes: it is stored as
``pending`` and nothing moves until a *second* staff member approves it (then it posts) or
rejects it. The requester can never approve their own, however they spell their id
(``Forbidden``); a decided request cannot be decided again (``StateConflict``); two approvals
at once post once: the decision is a compare-and-set in the database, and the transfer id is
the request's, so even a replayed post is the ledger's replay.

States: ``pending → approved → posted`` (or ``→ failed`` if the ledger refused the post),
``pending → rejected``; under the threshold, straight to ``posted``. An ``approved`` one a
crash left behind is posted by :meth:`AdjustmentService.recover` (at start).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, Final

from croupier.domain.accounts.player import cash_account_id
from croupier.domain.errors import (
    CroupierError,
    Forbidden,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    InvalidInput,
    NotFound,
    StateConflict,
)
from croupier.domain.ledger import Account, AccountKind, CreateAccount, Transfer, TransferRequest
from croupier.domain.money import check_amount
from croupier.services.accounts.ports import PlayerStore
from croupier.services.audit import AuditEntry, AuditTrail
from croupier.services.backoffice.limits import BackofficeLimits
from croupier.services.backoffice.ports import (
    Adjustment,
    AdjustmentState,
    BackofficeStore,
    Direction,
)
from croupier.services.backoffice.staff_actor import check_reason, same_staff, staff_identity
from croupier.services.ledger import LedgerClient

__all__ = [
    "REASON_CODES",
    "REQUEST_ID",
    "AdjustmentService",
    "adjustment_transfer_id",
    "adjustments_account",
]

#: The fixed list of reason codes; the free text says the rest.
REASON_CODES: Final = frozenset(
    {"goodwill", "correction", "chargeback-reversal", "promotion", "other"}
)
#: A request id is the client's idempotency key for the adjustment.
REQUEST_ID: Final = re.compile(r"^[A-Za-z0-9._:-]{8,64}\Z")


def adjustments_account(currency: str) -> str:
    """The house account that balances manual adjustments in ``currency``."""
    return f"adjustments:{currency}"


def adjustment_transfer_id(request_id: str) -> str:
    return f"adjustment:{request_id}"


class AdjustmentService:
    def __init__(
        self,
        store: BackofficeStore,
        players: PlayerStore,
        ledger: LedgerClient,
        audit: AuditTrail,
        limits: BackofficeLimits,
        *,
        clock_ms: Callable[[], int],
    ) -> None:
        self.store = store
        self.players = players
        self.ledger = ledger
        self.audit = audit
        self.limits = limits
        self._clock_ms = clock_ms

    async def request(
        self,
        *,
        request_id: str,
        player_id: str,
        direction: Direction | str,
        amount_minor: int,
        reason_code: str,
        actor: str,
        source_ip: str | None,
        reason: str,
    ) -> Adjustment:
        """Ask for an adjustment: posted at once up to the threshold, ``pending`` above it.

        Idempotent by ``request_id``: the same request again returns the stored one; other
        content under the same id is ``IdempotencyConflict``."""
        staff_identity(actor)
        note = check_reason(reason)
        wanted = await self._checked(
            request_id, player_id, direction, amount_minor, reason_code, actor, note
        )
        stored = await self.store.adjustment(request_id)
        if stored is not None:
            return _replayed(stored, wanted)
        threshold = self.limits.minor_above(self.limits.adjustment_approval_above, wanted.currency)
        if wanted.amount_minor > threshold:
            if wanted.direction is Direction.DEBIT:  # an early, friendly refusal
                await self._require_funds(wanted)
            stored = _replayed(await self.store.insert_adjustment(wanted), wanted)
            if stored == wanted:
                await self._record(actor, "adjustment.requested", stored, source_ip, note, None)
            return stored
        # Under the threshold: the ledger first (its transfer id makes this idempotent), then
        # the row; a crash in between leaves a transfer the same request id completes.
        transfer = await self._post(wanted)
        posted = _with(wanted, state=AdjustmentState.POSTED, transfer_id=transfer.id)
        stored = await self.store.insert_adjustment(posted)
        if stored.state is not AdjustmentState.POSTED:  # a row from before the crash: finish it
            await self._mark_posted(stored, transfer)
        await self._record(actor, "adjustment.posted", posted, source_ip, note, None)
        return posted

    async def approve(
        self, request_id: str, *, actor: str, source_ip: str | None, reason: str
    ) -> Adjustment:
        """The second pair of eyes: post a pending adjustment (never the requester's own)."""
        why = check_reason(reason)
        adjustment = await self._pending(request_id, actor)
        if not await self.store.decide_adjustment(
            request_id,
            from_states=(AdjustmentState.PENDING,),
            to_state=AdjustmentState.APPROVED,
            by=actor,
            at_ms=self._clock_ms(),
            reason=why,
        ):
            raise StateConflict(f"adjustment {request_id!r} was decided meanwhile")
        await self._record(actor, "adjustment.approved", adjustment, source_ip, why, "approved")
        return await self._post_approved(request_id)

    async def reject(
        self, request_id: str, *, actor: str, source_ip: str | None, reason: str
    ) -> Adjustment:
        """Refuse a pending adjustment: nothing moves. The requester may withdraw their own."""
        why = check_reason(reason)
        staff_identity(actor)
        adjustment = await self._get(request_id)
        if adjustment.state is not AdjustmentState.PENDING or not (
            await self.store.decide_adjustment(
                request_id,
                from_states=(AdjustmentState.PENDING,),
                to_state=AdjustmentState.REJECTED,
                by=actor,
                at_ms=self._clock_ms(),
                reason=why,
            )
        ):
            raise StateConflict(f"adjustment {request_id!r} is already decided")
        await self._record(actor, "adjustment.rejected", adjustment, source_ip, why, "rejected")
        return await self._get(request_id)

    async def get(self, request_id: str) -> Adjustment:
        return await self._get(request_id)

    async def adjustments(
        self, *, state: AdjustmentState | str | None = None, limit: int = 50
    ) -> list[Adjustment]:
        if not 1 <= limit <= self.limits.page_size_max:
            raise InvalidInput(f"limit must be 1 to {self.limits.page_size_max}")
        try:
            wanted = None if state is None else AdjustmentState(state)
        except ValueError:
            raise InvalidInput(f"unknown adjustment state {state!r}") from None
        return await self.store.adjustments(state=wanted, limit=limit)

    async def recover(self) -> int:
        """Post every approved adjustment a crash left unposted; how many were finished."""
        finished = 0
        for adjustment in await self.store.adjustments(
            state=AdjustmentState.APPROVED, limit=self.limits.page_size_max
        ):
            # a refusal (funds) is recorded as failed by _post_approved
            with contextlib.suppress(CroupierError):
                await self._post_approved(adjustment.request_id)
            finished += 1
        return finished

    # -- steps ---------------------------------------------------------------------------
    async def _pending(self, request_id: str, actor: str) -> Adjustment:
        staff_identity(actor)
        adjustment = await self._get(request_id)
        if same_staff(adjustment.requested_by, actor):
            raise Forbidden("four eyes: the requester cannot approve their own adjustment")
        if adjustment.state is not AdjustmentState.PENDING:
            raise StateConflict(f"adjustment {request_id!r} is already {adjustment.state}")
        return adjustment

    async def _post_approved(self, request_id: str) -> Adjustment:
        adjustment = await self._get(request_id)
        try:
            transfer = await self._post(adjustment)
        except InsufficientFunds as refused:
            await self.store.decide_adjustment(
                request_id,
                from_states=(AdjustmentState.APPROVED,),
                to_state=AdjustmentState.FAILED,
                reason=f"{adjustment.decision_reason} [ledger: {refused}]"[:1000],
            )
            raise
        await self._mark_posted(adjustment, transfer)
        return await self._get(request_id)

    async def _mark_posted(self, adjustment: Adjustment, transfer: Transfer) -> None:
        await self.store.decide_adjustment(
            adjustment.request_id,
            from_states=(AdjustmentState.PENDING, AdjustmentState.APPROVED),
            to_state=AdjustmentState.POSTED,
            transfer_id=transfer.id,
        )

    async def _post(self, adjustment: Adjustment) -> Transfer:
        """The adjustment's one transfer (a replay after a crash posts nothing twice)."""
        house = adjustments_account(adjustment.currency)
        player = cash_account_id(adjustment.player_id)
        debit, credit = (
            (house, player) if adjustment.direction is Direction.CREDIT else (player, house)
        )
        request = TransferRequest.create(
            adjustment_transfer_id(adjustment.request_id),
            debit_account_id=debit,
            credit_account_id=credit,
            amount_minor=adjustment.amount_minor,
            currency=adjustment.currency,
            reason=f"adjustment_{adjustment.direction.value}",
            metadata={
                "reason_code": adjustment.reason_code,
                "requested_by": adjustment.requested_by,
            },
        )
        opened = Account(house, AccountKind.ADJUSTMENTS, adjustment.currency, None)
        applied = await self.ledger.submit([CreateAccount(opened), request])
        transfer = applied.results[1]
        assert isinstance(transfer, Transfer)
        return transfer

    async def _require_funds(self, adjustment: Adjustment) -> None:
        _, balance = await self.ledger.balance(cash_account_id(adjustment.player_id))
        if balance.available < adjustment.amount_minor:
            raise InsufficientFunds(
                f"the player has {balance.available} available, the debit is "
                f"{adjustment.amount_minor}"
            )

    async def _checked(
        self,
        request_id: str,
        player_id: str,
        direction: Direction | str,
        amount_minor: int,
        reason_code: str,
        actor: str,
        note: str,
    ) -> Adjustment:
        if not isinstance(request_id, str) or not REQUEST_ID.match(request_id):
            raise InvalidInput("request_id must be 8 to 64 characters of A-Z a-z 0-9 . _ : -")
        try:
            way = Direction(direction)
        except ValueError:
            raise InvalidInput("direction must be credit or debit") from None
        amount = check_amount(amount_minor, what="amount")
        if not 0 < amount <= self.limits.adjustment_minor_max:
            raise InvalidAmount(
                f"an adjustment is 1 to {self.limits.adjustment_minor_max} minor units"
            )
        if reason_code not in REASON_CODES:
            raise InvalidInput(f"reason_code must be one of {', '.join(sorted(REASON_CODES))}")
        player = await self.players.get_player(player_id) if isinstance(player_id, str) else None
        if player is None:
            raise NotFound(f"no player {player_id!r}")
        return Adjustment(
            request_id=request_id,
            player_id=player.player_id,
            direction=way,
            amount_minor=amount,
            currency=player.currency,
            reason_code=reason_code,
            note=note,
            requested_by=actor,
            requested_at_ms=self._clock_ms(),
            state=AdjustmentState.PENDING,
        )

    async def _get(self, request_id: str) -> Adjustment:
        found = await self.store.adjustment(request_id) if isinstance(request_id, str) else None
        if found is None:
            raise NotFound(f"no adjustment {request_id!r}")
        return found

    async def _record(
        self,
        actor: str,
        action: str,
        adjustment: Adjustment,
        source_ip: str | None,
        reason: str,
        decided: str | None,
    ) -> None:
        view = _public(adjustment)
        await self.audit.record(
            AuditEntry(
                actor=actor,
                action=action,
                subject=f"player:{adjustment.player_id}",
                source_ip=source_ip,
                reason=reason,
                before={"state": adjustment.state.value} if decided else None,
                after={**view, "state": decided} if decided else view,
            )
        )


def _with(adjustment: Adjustment, **changes: Any) -> Adjustment:
    return Adjustment(**{**asdict(adjustment), **changes})


def _same_request(stored: Adjustment, wanted: Adjustment) -> bool:
    fields = ("player_id", "direction", "amount_minor", "currency", "reason_code", "note")
    return all(getattr(stored, name) == getattr(wanted, name) for name in fields) and same_staff(
        stored.requested_by, wanted.requested_by
    )


def _replayed(stored: Adjustment, wanted: Adjustment) -> Adjustment:
    if not _same_request(stored, wanted):
        raise IdempotencyConflict("this request_id was used for another adjustment")
    return stored


def _public(adjustment: Adjustment) -> dict[str, Any]:
    view = asdict(adjustment)
    view["direction"] = adjustment.direction.value
    view["state"] = adjustment.state.value
    return view
