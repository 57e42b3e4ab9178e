"""The ledger groups of a bet: reserve the stake, then settle it in one linked group.

Phase one (before the outcome is drawn) reserves the stake as a pending transfer from the
player to the house. Phase two posts it and, in the same linked group, moves the jackpot
contribution from the house to the pool and pays the win from the house — all or nothing.
A round that cannot finish voids the reservation instead, returning the stake.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from croupier.domain.ledger import TransferKind, TransferRequest

__all__ = ["reserve_stake", "settle_bet", "void_stake"]


def reserve_stake(
    bet_id: str,
    *,
    player_account: str,
    house_account: str,
    stake_minor: int,
    currency: str,
    timeout_ms: int | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> TransferRequest:
    return TransferRequest.create(
        f"{bet_id}:stake",
        kind=TransferKind.PENDING,
        debit_account_id=player_account,
        credit_account_id=house_account,
        amount_minor=stake_minor,
        currency=currency,
        reason="stake",
        timeout_ms=timeout_ms,
        metadata=metadata,
    )


def settle_bet(
    bet_id: str,
    *,
    player_account: str,
    house_account: str,
    jackpot_account: str | None,
    currency: str,
    contribution_minor: int = 0,
    win_minor: int = 0,
) -> list[TransferRequest]:
    """Post the reserved stake, fund the jackpot and pay the win (zero amounts are omitted)."""
    group = [
        TransferRequest.create(
            f"{bet_id}:post", kind=TransferKind.POST, pending_id=f"{bet_id}:stake", reason="stake"
        )
    ]
    if contribution_minor:
        if jackpot_account is None:
            raise ValueError("a jackpot contribution needs a jackpot account")
        group.append(
            TransferRequest.create(
                f"{bet_id}:jackpot",
                debit_account_id=house_account,
                credit_account_id=jackpot_account,
                amount_minor=contribution_minor,
                currency=currency,
                reason="jackpot_contribution",
            )
        )
    if win_minor:
        group.append(
            TransferRequest.create(
                f"{bet_id}:win",
                debit_account_id=house_account,
                credit_account_id=player_account,
                amount_minor=win_minor,
                currency=currency,
                reason="win",
            )
        )
    return group


def void_stake(bet_id: str, *, reason: str = "round_voided") -> TransferRequest:
    return TransferRequest.create(
        f"{bet_id}:void", kind=TransferKind.VOID, pending_id=f"{bet_id}:stake", reason=reason
    )
