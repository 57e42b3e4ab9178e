"""The player's wallet: balance, deposits, withdrawals, history."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from croupier.api.http.auth import CurrentPlayer, platform_of
from croupier.api.http.compliance import LocatedPlayer
from croupier.api.http.paging import PageCursor, PageLimit
from croupier.api.http.problems import PROBLEMS
from croupier.api.http.routes.player_security import SECURITY_PROBLEMS
from croupier.api.http.routing import api_router
from croupier.domain.ledger import TransferKind
from croupier.services.payments.store import payment_id_of
from croupier.services.wallet import is_held, transfer_json

router = api_router(prefix="/v1/wallet", tags=["wallet"])

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="8-64 characters; a replay returns the first answer, another body is 409",
    ),
]


class WalletOut(BaseModel):
    currency: str
    cash: int = Field(description="Available cash, minor units")
    bonus: int
    pending: int = Field(description="Reserved by open bets and withdrawals, minor units")


class AmountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: StrictInt = Field(gt=0, description="Minor units (an integer: 1050 is 10.50 EUR)")
    card_token: str | None = Field(
        default=None,
        max_length=80,
        pattern=r"^card_[A-Za-z0-9_-]+$",
        description="A card from the card vault; without it, the embedded sandbox method "
        "(where the instant sandbox is configured). A withdrawal goes back to the method "
        "deposited with (closed loop): another card is refused",
    )


class WithdrawalIn(AmountIn):
    totp: str | None = Field(
        default=None,
        max_length=32,
        description="A current code (or a recovery code) when the player has TOTP on; "
        "each code is good once, so a retry needs the next one",
    )
    forfeit_bonus: bool = Field(
        default=False,
        description="Confirm that withdrawing forfeits the active bonus (without it, a "
        "player with one is answered 409 bonus-forfeit-required with the amount)",
    )


class MovementOut(BaseModel):
    id: str
    kind: str
    reason: str
    amount: int
    currency: str
    timestamp_ms: int
    metadata: dict[str, object]


class DepositOut(MovementOut):
    state: str = Field(description="settled (201), or pending (202: the outcome waits)")
    payment_id: str = Field(description="GET /v1/payments/{payment_id} shows where it stands")


class WithdrawalOut(MovementOut):
    state: str = Field(
        description="paid (201), pending-review (202: reserved, waiting for staff), or "
        "pending (202: sent, the outcome waits)"
    )
    payment_id: str = Field(description="GET /v1/payments/{payment_id} (once sent)")


class TransactionsOut(BaseModel):
    items: list[MovementOut]
    next_cursor: int | None


@router.get("", responses=PROBLEMS)
async def wallet(player: CurrentPlayer, request: Request) -> WalletOut:
    current = await platform_of(request).wallet.wallet(player)
    return WalletOut(
        currency=current.currency, cash=current.cash, bonus=current.bonus, pending=current.pending
    )


@router.post(
    "/deposits",
    status_code=201,
    responses={**PROBLEMS, 202: {"model": DepositOut, "description": "The outcome waits"}},
)
async def deposit(
    body: AmountIn,
    player: LocatedPlayer,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey,
) -> DepositOut:
    """Deposit through a payment provider: 201 ``settled`` when the provider approved at
    once (the sandbox does), 202 ``pending`` when its answer waits (a webhook or a look-up
    settles it; the same request again answers as it stands)."""
    transfer = await platform_of(request).wallet.deposit(
        player, idempotency_key, body.amount, body.card_token
    )
    body_json = transfer_json(transfer, player.cash_account_id)
    intent_id = transfer.pending_id or transfer.id
    state = "settled"
    if transfer.kind is TransferKind.PENDING:
        response.status_code, state = 202, "pending"
    return DepositOut.model_validate(
        {**body_json, "state": state, "payment_id": payment_id_of(intent_id)}
    )


@router.post(
    "/withdrawals",
    status_code=201,
    responses={
        **SECURITY_PROBLEMS,
        202: {"model": WithdrawalOut, "description": "Held for review"},
    },
)
async def withdraw(
    body: WithdrawalIn,
    player: CurrentPlayer,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey,
) -> WithdrawalOut:
    """Withdraw: the funds are reserved, paid out by the provider, then posted (201). A
    withdrawal held for review stays reserved and is answered 202 ``pending-review`` (and so
    is a replay of it) until staff approve or decline it. With TOTP on, ``totp`` carries a
    current code (403 ``totp-required`` / ``totp-invalid``)."""
    ip = request.client.host if request.client else "unknown"
    await platform_of(request).accounts.check_withdrawal(player, body.totp, ip=ip)
    transfer = await platform_of(request).wallet.withdraw(
        player, idempotency_key, body.amount, body.card_token, forfeit_bonus=body.forfeit_bonus
    )
    body_json = transfer_json(transfer, player.cash_account_id)
    payment_id = payment_id_of(transfer.pending_id or transfer.id)
    state = "paid"
    if transfer.kind is TransferKind.PENDING:
        response.status_code = 202
        state = "pending-review" if is_held(transfer) else "pending"
    return WithdrawalOut.model_validate({**body_json, "state": state, "payment_id": payment_id})


@router.get("/transactions", responses=PROBLEMS)
async def transactions(
    player: CurrentPlayer,
    request: Request,
    limit: PageLimit = 20,
    cursor: PageCursor = None,
) -> TransactionsOut:
    """The cash account's movements, newest first, with a stable cursor."""
    rows, next_cursor = await platform_of(request).wallet.transactions(
        player, limit=limit, cursor=cursor
    )
    items = [MovementOut.model_validate(transfer_json(t, player.cash_account_id)) for _, t in rows]
    return TransactionsOut(items=items, next_cursor=next_cursor)
