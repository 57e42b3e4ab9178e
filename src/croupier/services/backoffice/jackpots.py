"""Jackpot pools as staff see them, and their adjustment: a ledger transfer between the house
and the pool (``jackpot-adjust:<request_id>``), idempotent by the request id, audited.

Raising a pool takes from the house bankroll (within its credit limit); lowering one gives
back to the house and never takes the pool below zero (``InsufficientFunds``). Verification
still holds: it is one more transfer.
"""

from __future__ import annotations

from typing import Any

from croupier.domain.errors import IdempotencyConflict, InvalidAmount, InvalidInput
from croupier.domain.ledger import Transfer, TransferRequest
from croupier.domain.money import check_amount
from croupier.services.audit import AuditEntry, AuditTrail
from croupier.services.backoffice.adjustments import REQUEST_ID
from croupier.services.backoffice.staff_actor import check_reason, staff_identity
from croupier.services.jackpots import JackpotPools, house_account, pool_account
from croupier.services.ledger import LedgerClient

__all__ = ["JackpotControl"]

#: The largest single adjustment of a pool, in minor units.
POOL_ADJUSTMENT_MINOR_MAX = 10**12


class JackpotControl:
    def __init__(self, ledger: LedgerClient, pools: JackpotPools, audit: AuditTrail) -> None:
        self.ledger = ledger
        self.pools = pools
        self.audit = audit

    async def current(self) -> list[dict[str, object]]:
        """Every pool with its value now (committed)."""
        return await self.pools.current()

    async def adjust(
        self,
        *,
        request_id: str,
        game_id: str,
        currency: str,
        delta_minor: int,
        actor: str,
        source_ip: str | None,
        reason: str,
    ) -> Transfer:
        """Move ``delta_minor`` into the pool (positive) or out of it to the house."""
        staff_identity(actor)
        why = check_reason(reason)
        if not isinstance(request_id, str) or not REQUEST_ID.match(request_id):
            raise InvalidInput("request_id must be 8 to 64 characters of A-Z a-z 0-9 . _ : -")
        delta = check_amount(delta_minor, what="delta")
        if delta == 0 or abs(delta) > POOL_ADJUSTMENT_MINOR_MAX:
            raise InvalidAmount(f"delta must be non-zero, at most {POOL_ADJUSTMENT_MINOR_MAX}")
        pool = pool_account(game_id, currency)
        _, before = await self.ledger.balance(pool)  # AccountNotFound for no such pool
        house = house_account(currency)
        debit, credit = (house, pool) if delta > 0 else (pool, house)
        request = TransferRequest.create(
            f"jackpot-adjust:{request_id}",
            debit_account_id=debit,
            credit_account_id=credit,
            amount_minor=abs(delta),
            currency=currency,
            reason="jackpot_adjustment",
            metadata={"requested_by": actor},
        )
        try:
            applied = await self.ledger.submit([*self.pools.open_house(currency), request])
        except IdempotencyConflict:
            raise IdempotencyConflict("this request_id was used for another adjustment") from None
        transfer = applied.results[-1]
        assert isinstance(transfer, Transfer)
        if not applied.replayed:
            _, after = await self.ledger.balance(pool)
            await self.audit.record(
                AuditEntry(
                    actor=actor,
                    action="jackpot.adjusted",
                    subject=f"jackpot:{game_id}:{currency}",
                    source_ip=source_ip,
                    reason=why,
                    before=_pool(before.available),
                    after={**_pool(after.available), "transfer_id": transfer.id},
                )
            )
        return transfer


def _pool(amount_minor: int) -> dict[str, Any]:
    return {"amount_minor": amount_minor}
