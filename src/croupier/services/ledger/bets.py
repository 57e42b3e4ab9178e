"""The ledger commands of a bet.

An instant round (:func:`instant_bet`) takes its stake, funds the jackpot and pays its win in
the one linked group that also records it: single transfers, no reservation to resolve.

A round played over several requests (blackjack) is two-phase. Phase one (before the
outcome is drawn) reserves the stake as a pending transfer from the player to the house.
Phase two posts it and, in the same linked group, moves the jackpot contribution from the
house to the pool and pays the win from the house — all or nothing.
A round that cannot finish voids the reservation instead, returning the stake.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from croupier.domain.ledger import TransferKind, TransferRequest

__all__ = ["instant_bet", "reserve_stake", "settle_bet", "void_stake"]


def instant_bet(
    bet_id: str,
    *,
    player_account: str,
    house_account: str,
    jackpot_account: str | None,
    currency: str,
    stake_minor: int,
    contribution_minor: int = 0,
    win_minor: int = 0,
) -> list[TransferRequest]:
    """Take the stake, fund the jackpot and pay the win, all posted at once (zero amounts
    are omitted). The stake comes first, so a player short of it is refused whole."""
    group = [
        TransferRequest.create(
            f"{bet_id}:stake",
            debit_account_id=player_account,
            credit_account_id=house_account,
            amount_minor=stake_minor,
            currency=currency,
            reason="stake",
        )
    ]
    return group + _contribution_and_win(
        bet_id,
        player_account,
        house_account,
        jackpot_account,
        currency,
        contribution_minor,
        win_minor,
    )


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
    return group + _contribution_and_win(
        bet_id,
        player_account,
        house_account,
        jackpot_account,
        currency,
        contribution_minor,
        win_minor,
    )


def _contribution_and_win(
    bet_id: str,
    player_account: str,
    house_account: str,
    jackpot_account: str | None,
    currency: str,
    contribution_minor: int,
    win_minor: int,
) -> list[TransferRequest]:
    group: list[TransferRequest] = []
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
