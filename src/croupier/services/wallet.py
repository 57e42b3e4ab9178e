"""A player's wallet: balances, deposits, withdrawals and history, all on the ledger.

Money-moving requests carry the client's ``Idempotency-Key``; the ledger transfer ids are
derived from it (``deposit:<player>:<key>``), so the ledger's own idempotency makes a replay
return the first result and a different body under the same key a conflict.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from croupier.domain.accounts.player import Player
from croupier.domain.errors import CroupierError, IdempotencyConflict, InvalidAmount, InvalidInput
from croupier.domain.ledger import (
    Account,
    AccountKind,
    AppendEvent,
    CreateAccount,
    Transfer,
    TransferKind,
    TransferRequest,
)
from croupier.domain.money import check_amount
from croupier.services.ledger import Ledger
from croupier.services.payments import PaymentProvider
from croupier.services.stream.channels import player_stream

__all__ = ["IDEMPOTENCY_KEY", "PaymentDeclined", "Wallet", "WalletLimits", "WalletService"]

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,64}\Z")


class PaymentDeclined(CroupierError):
    code = "payment-declined"


@dataclass(frozen=True, slots=True)
class WalletLimits:
    deposit_minor_max: int = 1_000_000_00
    withdrawal_minor_max: int = 1_000_000_00
    page_size_max: int = 100


@dataclass(frozen=True, slots=True)
class Wallet:
    currency: str
    cash: int
    bonus: int
    pending: int


def clearing_account(currency: str) -> str:
    return f"clearing:{currency}"


class WalletService:
    def __init__(self, ledger: Ledger, provider: PaymentProvider, limits: WalletLimits) -> None:
        self.ledger = ledger
        self.provider = provider
        self.limits = limits

    async def wallet(self, player: Player) -> Wallet:
        _, cash = await self.ledger.balance(player.cash_account_id)
        _, bonus = await self.ledger.balance(player.bonus_account_id)
        return Wallet(
            player.currency, cash.available, bonus.available, cash.pending + bonus.pending
        )

    async def deposit(self, player: Player, key: str, amount_minor: int) -> Transfer:
        amount = _check_request(key, amount_minor, self.limits.deposit_minor_max, "deposit")
        transfer_id = f"deposit:{player.player_id}:{key}"
        earlier = await self._earlier(transfer_id, amount)
        if earlier is not None:
            return earlier
        result = await self.provider.charge(
            player_id=player.player_id, amount_minor=amount, currency=player.currency, key=key
        )
        if not result.approved:
            raise PaymentDeclined(result.reason or "the payment was declined")
        return await self._with_clearing_account(
            transfer_id,
            _balance_changed(player, "deposit", amount, transfer_id),
            debit_account_id=clearing_account(player.currency),
            credit_account_id=player.cash_account_id,
            amount_minor=amount,
            currency=player.currency,
            reason="deposit",
            metadata={"provider": self.provider.name, "reference": result.reference},
        )

    async def withdraw(self, player: Player, key: str, amount_minor: int) -> Transfer:
        """Reserve the funds, ask the provider to pay out, then post (or void on refusal).

        A crash between the payout and the post leaves the reservation open on purpose:
        voiding it automatically could return money the player has already received, so it
        is left for reconciliation with the provider.
        """
        amount = _check_request(key, amount_minor, self.limits.withdrawal_minor_max, "withdrawal")
        pending_id = f"withdrawal:{player.player_id}:{key}"
        settled = await self.ledger.transfer_by_id(f"{pending_id}:paid")
        if settled is not None:
            await self._earlier(pending_id, amount)  # a different amount under the key: conflict
            return settled
        await self._with_clearing_account(
            pending_id,
            _balance_changed(player, "withdrawal", -amount, pending_id),
            kind=TransferKind.PENDING,
            debit_account_id=player.cash_account_id,
            credit_account_id=clearing_account(player.currency),
            amount_minor=amount,
            currency=player.currency,
            reason="withdrawal",
        )
        result = await self.provider.payout(
            player_id=player.player_id, amount_minor=amount, currency=player.currency, key=key
        )
        if not result.approved:
            await self.ledger.submit(
                [
                    TransferRequest.create(
                        f"{pending_id}:declined",
                        kind=TransferKind.VOID,
                        pending_id=pending_id,
                        reason="withdrawal_declined",
                    ),
                    _balance_changed(player, "withdrawal-declined", amount, pending_id),
                ]
            )
            raise PaymentDeclined(result.reason or "the payout was declined")
        return await self.ledger.transfer(
            f"{pending_id}:paid",
            kind=TransferKind.POST,
            pending_id=pending_id,
            reason="withdrawal",
            metadata={"provider": self.provider.name, "reference": result.reference},
        )

    async def transactions(
        self, player: Player, *, limit: int, cursor: int | None
    ) -> tuple[list[tuple[int, Transfer]], int | None]:
        """A page of the cash account's transfers, newest first, and the next page's cursor."""
        if not 1 <= limit <= self.limits.page_size_max:
            raise InvalidInput(f"limit must be 1 to {self.limits.page_size_max}")
        rows = await self.ledger.history(
            player.cash_account_id, limit=limit, before_seq=cursor, posted_only=True
        )
        next_cursor = rows[-1][0] if len(rows) == limit else None
        return rows, next_cursor

    async def _with_clearing_account(
        self, transfer_id: str, event: AppendEvent, **fields: Any
    ) -> Transfer:
        """The transfer and its event, in one linked group with (idempotently) opening the
        clearing account."""
        currency = fields["currency"]
        clearing = Account(clearing_account(currency), AccountKind.PAYMENT_CLEARING, currency, None)
        request = TransferRequest.create(transfer_id, **fields)
        applied = await self.ledger.submit([CreateAccount(clearing), request, event])
        transfer = applied.results[1]
        assert isinstance(transfer, Transfer)
        return transfer

    async def _earlier(self, transfer_id: str, amount_minor: int) -> Transfer | None:
        earlier = await self.ledger.transfer_by_id(transfer_id)
        if earlier is not None and earlier.amount_minor != amount_minor:
            raise IdempotencyConflict("this Idempotency-Key was used with another amount")
        return earlier


def _balance_changed(
    player: Player, reason: str, delta_minor: int, transfer_id: str
) -> AppendEvent:
    """The player's notice that their available cash moved (by ``delta_minor``); the ledger
    fills in ``balance_after``, the available cash once the group is applied."""
    data = {"reason": reason, "delta": delta_minor, "transfer_id": transfer_id}
    return AppendEvent.create(
        player_stream(player.player_id),
        "balance.changed",
        data,
        balances={"balance_after": player.cash_account_id},
    )


def _check_request(key: str, amount_minor: object, maximum: int, what: str) -> int:
    if not IDEMPOTENCY_KEY.match(key):
        raise InvalidInput("Idempotency-Key must be 8 to 64 characters of A-Z a-z 0-9 . _ : -")
    amount = check_amount(amount_minor, what="amount")
    if not 0 < amount <= maximum:
        raise InvalidAmount(f"a {what} must be between 1 and {maximum} minor units")
    return amount


def transfer_json(transfer: Transfer, account_id: str) -> dict[str, object]:
    """A transfer as a player sees it from one of their accounts: signed amount, newest first."""
    signed = (
        transfer.amount_minor
        if transfer.credit_account_id == account_id
        else -transfer.amount_minor
    )
    body: dict[str, object] = {
        "id": transfer.id,
        "kind": transfer.kind.value,
        "reason": transfer.reason,
        "amount": signed,
        "currency": transfer.currency,
        "timestamp_ms": transfer.timestamp_ms,
        "metadata": json.loads(transfer.metadata_json),
    }
    return body
