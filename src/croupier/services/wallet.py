"""A player's wallet: balances, deposits, withdrawals and history, all on the ledger.

Money-moving requests carry the client's ``Idempotency-Key``; the ledger transfer ids are
derived from it (:class:`PaymentIds`: ``deposit:<player>:<key>`` and its steps), so the
ledger's own idempotency makes a replay return the first result and a different amount under
the same key a conflict, refused before any payment provider is called.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Protocol

from croupier.domain.accounts.player import Player
from croupier.domain.errors import (
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    InvalidInput,
    InvariantBroken,
    PaymentDeclined,
    PendingNotFound,
)
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
from croupier.domain.money import check_amount
from croupier.services.compliance.allowances import limit_refusal
from croupier.services.keyed_locks import KeyedLocks
from croupier.services.ledger import Ledger
from croupier.services.stream.channels import player_stream

if TYPE_CHECKING:
    from croupier.services.payments.service import PaymentService

__all__ = [
    "IDEMPOTENCY_KEY",
    "PaymentDeclined",
    "PaymentGate",
    "PaymentIds",
    "Wallet",
    "WalletLimits",
    "WalletService",
    "WithdrawalBonus",
    "WithdrawalHold",
    "balance_changed_for",
    "is_held",
    "resolve_usage",
]

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,64}\Z")


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


class PaymentGate(Protocol):
    """Whether the player may move money now (``services/backoffice/gate.py``)."""

    async def before_payment(self, player_id: str, operation: str = "payment") -> None:
        """``AccountRestricted`` for a frozen or closed account; ``operation``: ``deposit``
        or ``withdrawal`` (a deposit may need KYC: ``KycRequired``)."""
        ...

    async def before_deposit(self, player_id: str) -> None:
        """As :meth:`before_payment`, and ``SelfExcluded``/``TimedOut`` while excluded (a
        withdrawal stays open to an excluded player)."""
        ...


class DepositLimits(Protocol):
    """The player's own deposit limits (``services/compliance/responsible.py``): the usage
    transfers a deposit's intent carries, so the ledger refuses one past a limit."""

    async def deposit_reservations(
        self, player: Player, intent_id: str, amount: int
    ) -> list[TransferRequest]: ...

    async def deposit_releases(
        self, player: Player, pending_ids: Sequence[str]
    ) -> list[TransferRequest]: ...


class WithdrawalBonus(Protocol):
    """The bonus engine (``services/bonus``): a withdrawal forfeits an active bonus, once
    the player has confirmed it (``BonusForfeitRequired`` until then)."""

    async def before_withdrawal(
        self, player: Player, amount_minor: int, *, forfeit: bool
    ) -> None: ...


class WithdrawalHold(Protocol):
    """Which withdrawals wait for staff review (``services/backoffice/withdrawals.py``)."""

    async def needs_review(self, player: Player, amount_minor: int) -> bool: ...


#: The metadata of a withdrawal's reservation held for review: it is the durable mark, made
#: in the same write as the reservation, so a crash cannot leave one without the other.
HELD_METADATA: Final = {"review": True}


def is_held(transfer: Transfer) -> bool:
    """Whether this reservation waits for a staff review (the provider has not heard of it)."""
    return bool(json.loads(transfer.metadata_json).get("review") is True)


class WalletService:
    def __init__(
        self,
        ledger: Ledger,
        payments: PaymentService,
        limits: WalletLimits,
        *,
        gate: PaymentGate | None = None,
        hold: WithdrawalHold | None = None,
    ) -> None:
        self.ledger = ledger
        #: Takes each recorded intent to a provider and resolves it (``services/payments``).
        self.payments = payments
        self.limits = limits
        #: Account control (None: every account may pay); set by the composition root.
        self.gate = gate
        #: The review queue's rule (None: no withdrawal waits); set by the composition root.
        self.hold = hold
        #: Responsible-gambling deposit limits (None: none); set by the composition root.
        self.deposit_limits: DepositLimits | None = None
        #: The bonus engine (None: no bonuses); set by the composition root.
        self.bonus: WithdrawalBonus | None = None
        self._in_flight = KeyedLocks()  # one request per key at a time in this process

    async def wallet(self, player: Player) -> Wallet:
        _, cash = await self.ledger.balance(player.cash_account_id)
        _, bonus = await self.ledger.balance(player.bonus_account_id)
        return Wallet(
            player.currency, cash.available, bonus.available, cash.pending + bonus.pending
        )

    async def deposit(
        self, player: Player, key: str, amount_minor: int, card_token: str | None = None
    ) -> Transfer:
        """Record the intent, charge a provider, then credit the player (or drop the intent).

        The intent is a pending transfer from clearing to the player, committed before any
        provider hears of the request: the key is bound to its amount durably, so another
        amount under the key is refused before anything is charged. The intent credits
        nothing until it is posted. The answer: the posted credit (settled at once), the
        intent itself (a ``pending`` transfer: the outcome waits for a webhook or a look-up,
        ``services/payments``), or ``PaymentDeclined``.
        """
        amount = _check_request(key, amount_minor, self.limits.deposit_minor_max, "deposit")
        if self.gate is not None:
            await self.gate.before_deposit(player.player_id)
        instrument = await self.payments.instrument(player, card_token)
        ids = PaymentIds.of("deposit", player.player_id, key)
        async with self._in_flight.hold(ids.intent):
            limited = await self._limited(player, ids, amount)
            if limited is not None:  # else recorded before, with this amount: a replay
                await self._record_intent(
                    ids,
                    None,
                    debit_account_id=clearing_account(player.currency),
                    credit_account_id=player.cash_account_id,
                    amount_minor=amount,
                    currency=player.currency,
                    reason="deposit",
                    also=limited,
                )
            finished = await self._finished(ids)
            if finished is not None:
                return finished
            intent = await self._intent(ids)
            return await self.payments.deposit(player, intent, key, instrument)

    async def _intent(self, ids: PaymentIds) -> Transfer:
        intent = await self.ledger.transfer_by_id(ids.intent)
        if intent is None:
            raise InvariantBroken(f"{ids.operation} {ids.intent} was recorded but is not found")
        return intent

    async def _limited(
        self, player: Player, ids: PaymentIds, amount: int
    ) -> list[TransferRequest] | None:
        """The deposit-limit usage the intent carries (none without limits); ``None`` for
        an intent recorded before with this amount (a replay: the limits it was recorded
        under stand), ``IdempotencyConflict`` for one recorded with another."""
        if self.deposit_limits is None:
            return []
        recorded = await self.ledger.transfer_by_id(ids.intent)
        if recorded is not None:
            if (recorded.amount_minor, recorded.credit_account_id) != (
                amount,
                player.cash_account_id,
            ):
                raise IdempotencyConflict("this Idempotency-Key was used with another amount")
            return None
        return await self.deposit_limits.deposit_reservations(player, ids.intent, amount)

    async def withdraw(
        self,
        player: Player,
        key: str,
        amount_minor: int,
        card_token: str | None = None,
        *,
        forfeit_bonus: bool = False,
    ) -> Transfer:
        """Reserve the funds, ask a provider to pay out, then post (or void on refusal).

        The reservation is committed before the provider hears of the request, and once it
        is, nothing but this request's own post or void can resolve it: the provider is never
        asked for a payout whose ledger record could still be refused. A crash between the
        payout and the post leaves the reservation open on purpose: voiding it automatically
        could return money the player has already received, so it is left for the same
        request again (the provider deduplicates by the key) or for reconciliation.

        A withdrawal the review rule holds (:class:`WithdrawalHold`) is reserved the same way,
        marked held in the reservation itself, and not sent to the provider: the answer is
        the reservation (a ``pending`` transfer), and so is a replay's until staff decide
        (``pay_held`` or ``void_held``); after that a replay gets the decision.

        Closed loop: the payout goes to the instrument (and provider) last deposited with;
        naming another card is refused before anything is reserved. A payout whose outcome
        waits answers the reservation too (202, ``services/payments`` resolves it).
        """
        amount = _check_request(key, amount_minor, self.limits.withdrawal_minor_max, "withdrawal")
        if self.gate is not None:
            await self.gate.before_payment(player.player_id, "withdrawal")
        await self.payments.payout_instrument(player, card_token)  # refusals change nothing
        ids = PaymentIds.of("withdrawal", player.player_id, key)
        async with self._in_flight.hold(ids.intent):
            if self.bonus is not None and await self.ledger.transfer_by_id(ids.intent) is None:
                # An active bonus is forfeited before a new withdrawal, once confirmed.
                await self.bonus.before_withdrawal(player, amount, forfeit=forfeit_bonus)
            held = await self._held(ids, player, amount)
            await self._record_intent(
                ids,
                _balance_changed(player, "withdrawal", -amount, ids.intent),
                debit_account_id=player.cash_account_id,
                credit_account_id=clearing_account(player.currency),
                amount_minor=amount,
                currency=player.currency,
                reason="withdrawal",
                metadata=HELD_METADATA if held else None,
            )
            finished = await self._finished(ids)
            if finished is not None:
                return finished
            if held:
                return await self._intent(ids)
            return await self._pay_out(ids, player, key, card_token)

    async def pay_held(self, player: Player, key: str) -> Transfer:
        """Pay out a withdrawal staff approved: the provider is called (with the player's key,
        so a repeat after a crash pays once) and the reservation posts, or voids if the
        provider declines (``PaymentDeclined``). Idempotent: a finished one answers again."""
        ids = PaymentIds.of("withdrawal", player.player_id, key)
        async with self._in_flight.hold(ids.intent):
            finished = await self._finished(ids)
            if finished is not None:
                return finished
            intent = await self.ledger.transfer_by_id(ids.intent)
            if intent is None or not is_held(intent):
                raise PendingNotFound(f"no withdrawal held for review under {ids.intent!r}")
            return await self._pay_out(ids, player, key, None)

    async def void_held(self, player: Player, key: str) -> Transfer:
        """Decline a held withdrawal: void the reservation, the money returns to the player's
        cash. Idempotent; a withdrawal already paid is ``PendingAlreadyResolved``."""
        ids = PaymentIds.of("withdrawal", player.player_id, key)
        async with self._in_flight.hold(ids.intent):
            declined = await self.ledger.transfer_by_id(ids.declined)
            if declined is not None:
                return declined
            intent = await self.ledger.transfer_by_id(ids.intent)
            if intent is None or not is_held(intent):
                raise PendingNotFound(f"no withdrawal held for review under {ids.intent!r}")
            void = TransferRequest.create(
                ids.declined,
                kind=TransferKind.VOID,
                pending_id=ids.intent,
                reason="withdrawal_declined",
                metadata={"provider": "review", "reason": _DECLINED_IN_REVIEW},
            )
            released = _balance_changed(
                player, "withdrawal-declined", intent.amount_minor, ids.intent
            )
            applied = await self.ledger.submit([void, released])
            transfer = applied.results[0]
            assert isinstance(transfer, Transfer)
            return transfer

    async def _held(self, ids: PaymentIds, player: Player, amount: int) -> bool:
        """Whether this withdrawal waits for review: as recorded if it was (a replay keeps
        its first answer even if the rule changed since), else as the rule says now."""
        recorded = await self.ledger.transfer_by_id(ids.intent)
        if recorded is not None:
            return is_held(recorded)
        return self.hold is not None and await self.hold.needs_review(player, amount)

    async def _pay_out(
        self, ids: PaymentIds, player: Player, key: str, card_token: str | None
    ) -> Transfer:
        instrument = await self.payments.payout_instrument(player, card_token)
        return await self.payments.withdraw(player, await self._intent(ids), key, instrument)

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

    async def _record_intent(
        self, ids: PaymentIds, event: AppendEvent | None, **fields: Any
    ) -> None:
        """Commit the pending transfer that binds the key to its amount (idempotently), in
        one linked group with opening the clearing account and the player's notice."""
        currency = fields["currency"]
        also: list[TransferRequest] = fields.pop("also", [])
        if also:  # the intent names its limit reservations, to resolve them with it
            fields["metadata"] = {USAGE_METADATA_KEY: [t.id for t in also]}
        clearing = Account(clearing_account(currency), AccountKind.PAYMENT_CLEARING, currency, None)
        intent = TransferRequest.create(ids.intent, kind=TransferKind.PENDING, **fields)
        group: list[Command] = [CreateAccount(clearing), intent, *also]
        if event is not None:
            group.append(event)
        try:
            await self.ledger.submit(group)
        except IdempotencyConflict:
            raise IdempotencyConflict("this Idempotency-Key was used with another amount") from None
        except InsufficientFunds as refused:
            # A deposit-limit allowance fell short, or (a withdrawal) the player's balance.
            limit = limit_refusal(refused)
            if limit is None:
                raise
            raise limit from None

    async def _finished(self, ids: PaymentIds) -> Transfer | None:
        """The completed step of an earlier request with this key; ``PaymentDeclined`` again
        if the provider declined it; ``None`` if it is still open."""
        completed = await self.ledger.transfer_by_id(ids.completed)
        if completed is not None:
            return completed
        declined = await self.ledger.transfer_by_id(ids.declined)
        if declined is not None:
            reason = json.loads(declined.metadata_json).get("reason")
            raise PaymentDeclined(reason or "the payment was declined")
        return None


#: The intent's metadata key naming its deposit-limit reservations.
USAGE_METADATA_KEY: Final = "rg"


def resolve_usage(pending_ids: Sequence[str], kind: TransferKind) -> list[TransferRequest]:
    """Post (deposit made) or void (declined) the deposit-limit reservations."""
    step = "post" if kind is TransferKind.POST else "void"
    return [
        TransferRequest.create(
            f"{step}-{pending_id}",
            kind=kind,
            pending_id=pending_id,
            reason="rg_deposit",
        )
        for pending_id in pending_ids
    ]


@dataclass(frozen=True, slots=True)
class PaymentIds:
    """The ledger ids of one deposit's or withdrawal's steps, ``<step>:<player>:<key>``.

    The step comes first and a player id holds no ``:``, so the key (which may hold ``:``)
    can never name another key's step: ``withdrawal-paid:P:K`` is K's payout whatever K is,
    while ``withdrawal:P:K:paid`` is only ever the reservation of the key ``K:paid``.
    """

    operation: str  # "deposit" or "withdrawal", also the reason of its transfers
    intent: str
    completed: str
    declined: str

    @classmethod
    def of(cls, operation: str, player_id: str, key: str) -> PaymentIds:
        if ":" in player_id:
            raise InvariantBroken(f"player id {player_id!r} holds ':': ledger ids would collide")
        done = _COMPLETED_STEP[operation]
        return cls(
            operation,
            f"{operation}:{player_id}:{key}",
            f"{operation}-{done}:{player_id}:{key}",
            f"{operation}-declined:{player_id}:{key}",
        )


_COMPLETED_STEP = {"deposit": "settled", "withdrawal": "paid", "refund": "made"}
#: What a player is told of a withdrawal declined in review (staff's reason stays internal).
_DECLINED_IN_REVIEW: Final = "declined in review: contact support"
#: A provider's decline reason is kept on the ledger (and repeated to a replay), bounded.
_DECLINE_REASON_CHARS_MAX = 200


def _balance_changed(
    player: Player, reason: str, delta_minor: int, transfer_id: str
) -> AppendEvent:
    return balance_changed_for(
        player.player_id, player.cash_account_id, reason, delta_minor, transfer_id
    )


def balance_changed_for(
    player_id: str, cash_account_id: str, reason: str, delta_minor: int, transfer_id: str
) -> AppendEvent:
    """The player's notice that their available cash moved (by ``delta_minor``); the ledger
    fills in ``balance_after``, the available cash once the group is applied."""
    data = {"reason": reason, "delta": delta_minor, "transfer_id": transfer_id}
    return AppendEvent.create(
        player_stream(player_id),
        "balance.changed",
        data,
        balances={"balance_after": cash_account_id},
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
