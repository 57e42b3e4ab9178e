"""A settled tournament's payout: every transfer under an id fixed by the tournament (and
the place), so running it again after a crash at any point pays nothing twice
(``domain/engagement/tournaments.py`` names the ids, docs/engagement.md the order)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from croupier.domain.accounts.player import cash_account_id
from croupier.domain.engagement.tournaments import (
    TournamentDefinition,
    fee_transfer_id,
    funding_transfer_id,
    pool_account,
    prize_transfer_id,
    prizes_account,
    remainder_transfer_id,
)
from croupier.domain.errors import AccountNotFound
from croupier.domain.ledger import Account, AccountKind, CreateAccount, TransferRequest
from croupier.services.ledger.ports import LedgerClient

__all__ = ["move", "pay"]

_HISTORY_PAGE: Final = 500  # the pool's transfers read per page when settling


async def _refund_orphan_fees(
    ledger: LedgerClient, definition: TournamentDefinition, entrants: set[str]
) -> None:
    """Fees of players outside the fixed results' entrants (a crash took the fee but
    wrote no entry; or a join finished after the results were fixed): back to the
    player, each under its fixed refund id, before any prize moves."""
    prefix = fee_transfer_id(definition.id, "")
    fees: dict[str, int] = {}
    refunded: set[str] = set()
    before: int | None = None
    while True:
        try:
            page = await ledger.history(
                pool_account(definition.id), limit=_HISTORY_PAGE, before_seq=before
            )
        except AccountNotFound:
            return  # no fee was ever taken
        for _, transfer in page:
            if transfer.id.endswith(":refund"):
                refunded.add(transfer.id.removesuffix(":refund"))
            elif transfer.id.startswith(prefix):
                fees[transfer.id] = transfer.amount_minor
        if len(page) < _HISTORY_PAGE:
            break
        before = page[-1][0]
    for transfer_id, amount in sorted(fees.items()):
        player_id = transfer_id.removeprefix(prefix)
        if player_id not in entrants and transfer_id not in refunded:
            await move(
                ledger, transfer_id + ":refund", pool_account(definition.id),
                cash_account_id(player_id), amount, definition, "tournament_fee_refund",
            )  # fmt: skip


async def pay(
    ledger: LedgerClient, definition: TournamentDefinition, results: Mapping[str, Any]
) -> None:
    """Refund stray fees, fund the pool, pay each place, return what is left: in this
    order, each step skipped by the ledger's replay when it is already in."""
    pool, house = pool_account(definition.id), prizes_account(definition.currency)
    await _refund_orphan_fees(ledger, definition, set(results["entrants"]))
    funding = int(results["funding_minor"])
    if funding:
        await move(
            ledger, funding_transfer_id(definition.id), house, pool, funding, definition,
            "tournament_funding",
        )  # fmt: skip
    for place, player_id, amount in results["prizes"]:
        await move(
            ledger,
            prize_transfer_id(definition.id, int(place)),
            pool,
            cash_account_id(player_id),
            int(amount),
            definition,
            "tournament_prize",
        )
    if await ledger.transfer_by_id(remainder_transfer_id(definition.id)) is not None:
        return
    try:
        _, balance = await ledger.balance(pool)
    except AccountNotFound:  # no fee, no funding: the pool never opened
        return
    if balance.available > 0:  # the prizes are all posted: what is left goes back
        await move(
            ledger, remainder_transfer_id(definition.id), pool, house, balance.available,
            definition, "tournament_remainder",
        )  # fmt: skip


async def move(
    ledger: LedgerClient,
    transfer_id: str,
    debit: str,
    credit: str,
    amount: int,
    definition: TournamentDefinition,
    reason: str,
) -> None:
    """One idempotent transfer, the tournament's accounts opened with it (a no-op when
    they exist)."""
    currency = definition.currency
    await ledger.submit(
        [
            CreateAccount(
                Account(pool_account(definition.id), AccountKind.PROMOTIONS, currency, 0)
            ),
            CreateAccount(
                Account(prizes_account(currency), AccountKind.PROMOTIONS, currency, None)
            ),
            TransferRequest.create(
                transfer_id,
                debit_account_id=debit,
                credit_account_id=credit,
                amount_minor=amount,
                currency=currency,
                reason=reason,
                metadata={"tournament": definition.id},
            ),
        ]
    )
