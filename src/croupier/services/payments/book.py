"""The money of a payment on the ledger: settle (post the intent), fail (void it), take a
chargeback back. Every step has a transfer id derived from the payment, so a step applied
twice (two workers, a webhook after the poller, a replay after a crash) is the ledger's
replay, never a second movement; the ledger is the truth a payment row is checked against.

Accounts: ``clearing:<CUR>`` mirrors money outside the casino (no floor);
``receivable:<player>:<CUR>`` (``PLAYER_RECEIVABLE``, no floor) holds what a player owes
after a chargeback larger than their balance: booked, never lost.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from croupier.domain.accounts.player import Player
from croupier.domain.errors import InvariantBroken
from croupier.domain.ledger import (
    Account,
    AccountKind,
    AppendEvent,
    Command,
    CreateAccount,
    Transfer,
    TransferKind,
    TransferRequest,
)
from croupier.domain.payments.states import Kind, State
from croupier.services.ledger import Ledger
from croupier.services.payments.store import PaymentRow
from croupier.services.stream.channels import player_stream
from croupier.services.wallet import (
    USAGE_METADATA_KEY,
    PaymentIds,
    balance_changed_for,
    clearing_account,
    resolve_usage,
)

if TYPE_CHECKING:
    from croupier.services.wallet import DepositLimits

__all__ = ["PaymentBook", "receivable_account"]

_REASON_CHARS_MAX = 200


def receivable_account(player_id: str, currency: str) -> str:
    return f"receivable:{player_id}:{currency}"


class PaymentBook:
    def __init__(
        self, ledger: Ledger, *, players: Callable[[str], Awaitable[Player | None]]
    ) -> None:
        self.ledger = ledger
        self.players = players
        #: Responsible-gambling deposit limits (the wallet's): a failed deposit's void
        #: carries their release. Set by the composition root.
        self.deposit_limits: DepositLimits | None = None

    @staticmethod
    def ids(row: PaymentRow) -> PaymentIds:
        return PaymentIds.of(row.kind.value, row.player_id, row.idempotency_key)

    async def intent(self, row: PaymentRow) -> Transfer:
        intent = await self.ledger.transfer_by_id(self.ids(row).intent)
        if intent is None:
            raise InvariantBroken(f"payment {row.id} has no ledger intent")
        return intent

    async def outcome(self, row: PaymentRow) -> State | None:
        """What the ledger says happened (``SETTLED``/``FAILED``), or None while open."""
        ids = self.ids(row)
        if await self.ledger.transfer_by_id(ids.completed) is not None:
            return State.SETTLED
        if await self.ledger.transfer_by_id(ids.declined) is not None:
            return State.FAILED
        return None

    async def settle(self, row: PaymentRow) -> Transfer:
        """Post the intent: the deposit credits the player, the payout or refund leaves."""
        ids = self.ids(row)
        done = await self.ledger.transfer_by_id(ids.completed)
        if done is not None:
            return done
        intent = await self.intent(row)
        post = TransferRequest.create(
            ids.completed,
            kind=TransferKind.POST,
            pending_id=ids.intent,
            reason=ids.operation,
            metadata={"provider": row.provider, "reference": row.reference, "payment": row.id},
        )
        group: list[Command] = [post]
        if row.kind is Kind.DEPOSIT:
            group += resolve_usage(_usage(intent), TransferKind.POST)
            group.append(
                balance_changed_for(
                    row.player_id, intent.credit_account_id, "deposit", row.amount_minor, post.id
                )
            )
        return await self._first(group)

    async def fail(self, row: PaymentRow, reason: str) -> Transfer:
        """Void the intent: nothing credited, or the reserved funds return to the player."""
        ids = self.ids(row)
        done = await self.ledger.transfer_by_id(ids.declined)
        if done is not None:
            return done
        intent = await self.intent(row)
        void = TransferRequest.create(
            ids.declined,
            kind=TransferKind.VOID,
            pending_id=ids.intent,
            reason=f"{ids.operation}_declined",
            metadata={
                "provider": row.provider or "",
                "reference": row.reference,
                "reason": (reason or "the payment was declined")[:_REASON_CHARS_MAX],
            },
        )
        group: list[Command] = [void]
        if row.kind is Kind.DEPOSIT:
            usage = _usage(intent)
            group += resolve_usage(usage, TransferKind.VOID)
            group += await self._released(row.player_id, usage)
        else:
            group.append(
                balance_changed_for(
                    row.player_id,
                    intent.debit_account_id,
                    f"{ids.operation}-declined",
                    row.amount_minor,
                    intent.id,
                )
            )
        return await self._first(group)

    async def refund_intent(self, deposit: PaymentRow, key: str, amount_minor: int) -> Transfer:
        """Reserve a refund of a settled deposit from the player's cash (idempotent by the
        key; ``InsufficientFunds`` if the player has spent it, ``IdempotencyConflict`` for
        another amount under the key)."""
        ids = PaymentIds.of("refund", deposit.player_id, key)
        cash = (await self.intent(deposit)).credit_account_id
        clearing = clearing_account(deposit.currency)
        intent = TransferRequest.create(
            ids.intent,
            kind=TransferKind.PENDING,
            debit_account_id=cash,
            credit_account_id=clearing,
            amount_minor=amount_minor,
            currency=deposit.currency,
            reason="refund",
            metadata={"deposit": deposit.id},
        )
        return await self._first(
            [
                CreateAccount(
                    Account(clearing, AccountKind.PAYMENT_CLEARING, deposit.currency, None)
                ),
                intent,
                balance_changed_for(deposit.player_id, cash, "refund", -amount_minor, ids.intent),
            ]
        )

    async def chargeback(self, row: PaymentRow, amount_minor: int) -> None:
        """Take a settled deposit back: the player's cash gives what it has (a balancing
        transfer, decided inside the ledger's apply step, so no bet can race it), and the
        rest stays as the player's debt on their receivable account."""
        intent = await self.intent(row)
        cash = intent.credit_account_id
        receivable = receivable_account(row.player_id, row.currency)
        group: list[Command] = [
            CreateAccount(Account(receivable, AccountKind.PLAYER_RECEIVABLE, row.currency, None)),
            CreateAccount(
                Account(
                    clearing_account(row.currency),
                    AccountKind.PAYMENT_CLEARING,
                    row.currency,
                    None,
                )
            ),
            TransferRequest.create(
                f"chargeback:{row.id}",
                debit_account_id=receivable,
                credit_account_id=clearing_account(row.currency),
                amount_minor=amount_minor,
                currency=row.currency,
                reason="chargeback",
                metadata={"payment": row.id, "provider": row.provider or ""},
            ),
            TransferRequest.create(
                f"chargeback-collected:{row.id}",
                debit_account_id=cash,
                credit_account_id=receivable,
                amount_minor=amount_minor,
                currency=row.currency,
                reason="chargeback",
                metadata={"payment": row.id},
                balancing=True,
            ),
            AppendEvent.create(
                player_stream(row.player_id),
                "balance.changed",
                {"reason": "chargeback", "transfer_id": f"chargeback:{row.id}"},
                balances={"balance_after": cash},
            ),
        ]
        await self.ledger.submit(group)

    async def _released(self, player_id: str, usage: list[str]) -> list[TransferRequest]:
        if self.deposit_limits is None or not usage:
            return []
        player = await self.players(player_id)
        if player is None:
            raise InvariantBroken(f"the player {player_id} of a payment is not found")
        return await self.deposit_limits.deposit_releases(player, usage)

    async def _first(self, group: list[Command]) -> Transfer:
        # A pending resolved the other way raises PendingAlreadyResolved: the caller reads
        # the ledger's outcome and flags the payment.
        applied = await self.ledger.submit(group)
        transfer = next((r for r in applied.results if isinstance(r, Transfer)), None)
        if transfer is None:
            raise InvariantBroken("a payment step moved nothing")
        return transfer


def _usage(intent: Transfer) -> list[str]:
    names = json.loads(intent.metadata_json).get(USAGE_METADATA_KEY, [])
    return [name for name in names if isinstance(name, str)]
