"""Cashback (docs/bonuses.md, "Cashback"): a scheduled job pays each eligible player
``cashback_percent`` of their net loss to rounds over the last completed period, as cash
(or as a bonus with wagering, ``paid_as: bonus``), from the promotions account.

Idempotent per player and period: the cash payout's transfer id is
``cashback:<offer>:<period>:<player>`` (a rerun is a replay), and a bonus payout is a grant
whose offer id is ``<offer>@<period>`` (a player's claimed offers say it was paid). A
player with a bonus already active gets the cashback as cash. Nothing for a player barred
from promotions, outside the offer's segments, or whose jurisdiction forbids bonuses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Final

from croupier.domain.accounts.player import Player
from croupier.domain.bonus import (
    BonusKind,
    Offer,
    cashback_amount,
    cashback_period,
    net_loss,
    policy_refusal,
)
from croupier.domain.errors import InvalidInput
from croupier.domain.ledger import AccountKind, Command, TransferRequest
from croupier.services.bonus.ledger_ops import house_accounts, notice, promotions_account
from croupier.services.bonus.service import BonusService
from croupier.services.wallet import balance_changed_for

__all__ = ["CashbackRun", "pay_cashback"]

_EPOCH: Final = date(1970, 1, 1)
_DAY_MS: Final = 86_400_000
#: Cash transfers read per page while summing a period's rounds.
_PAGE: Final = 500


@dataclass(frozen=True, slots=True)
class CashbackRun:
    offer_id: str
    period: int
    period_start: str
    period_end: str
    players: int
    paid: int
    total_minor: int

    def as_json(self) -> dict[str, object]:
        return {
            "offer_id": self.offer_id,
            "period": self.period,
            "from": self.period_start,
            "until": self.period_end,
            "players_looked_at": self.players,
            "players_paid": self.paid,
            "total_minor": self.total_minor,
        }


async def pay_cashback(
    service: BonusService,
    offer_id: str,
    players: Callable[[str], Awaitable[Player | None]],
    *,
    today: date,
    players_max: int,
) -> CashbackRun:
    """Pay the offer's cashback for the last period completed before ``today``."""
    offer = await service.offers.get(offer_id)
    terms = offer.terms
    if terms.kind is not BonusKind.CASHBACK or not offer.active:
        raise InvalidInput(f"offer {offer_id!r} is not an active cashback offer")
    period, first, last = cashback_period((today - _EPOCH).days, terms.period_days)
    start_ms, end_ms = first * _DAY_MS, last * _DAY_MS
    accounts = await service.ledger.accounts_of_kind(
        AccountKind.PLAYER_CASH.value, limit=players_max
    )
    paid = total = 0
    for account, _ in accounts:
        player = await players(account.id.removeprefix("player:").removesuffix(":cash"))
        if player is None or not await _eligible(service, offer, player):
            continue
        loss = await _net_loss(service, player, start_ms, end_ms)
        amount = cashback_amount(loss, terms.cashback_percent, terms.cashback_cap_minor)
        if amount and await _pay(service, offer, player, period, amount):
            paid, total = paid + 1, total + amount
    return CashbackRun(
        offer_id,
        period,
        _day(first),
        _day(last),
        len(accounts),
        paid,
        total,
    )


async def _eligible(service: BonusService, offer: Offer, player: Player) -> bool:
    if player.currency != offer.terms.currency:
        return False
    segments, barred = await service.standing(player)
    if barred is not None or policy_refusal(offer.terms, service.policy_of(player)) is not None:
        return False
    return not offer.segments or bool(offer.segments & segments)


async def _net_loss(service: BonusService, player: Player, start_ms: int, end_ms: int) -> int:
    """The player's net cash loss to rounds committed in [start_ms, end_ms)."""
    moves: list[tuple[str, int]] = []
    before: int | None = None
    while True:
        page = await service.ledger.history(
            player.cash_account_id, limit=_PAGE, before_seq=before, posted_only=True
        )
        for _, transfer in page:
            if start_ms <= transfer.timestamp_ms < end_ms:
                signed = transfer.amount_minor
                if transfer.debit_account_id == player.cash_account_id:
                    signed = -signed
                moves.append((transfer.reason, signed))
        if len(page) < _PAGE or page[-1][1].timestamp_ms < start_ms:
            return net_loss(moves)
        before = page[-1][0]


async def _pay(
    service: BonusService, offer: Offer, player: Player, period: int, amount: int
) -> bool:
    """Pay one player's cashback; ``False`` when this period's was paid before."""
    state = await service.states.read(player.player_id)
    key = f"{offer.offer_id}@{period}"
    if key in state.claimed:
        return False
    if offer.terms.paid_as == "bonus" and not state.busy:
        as_bonus = replace(offer, offer_id=key)
        return (
            await service.grant(player, as_bonus, state, deposit_minor=0, amount_minor=amount)
            is not None
        )
    transfer_id = f"cashback:{offer.offer_id}:{period}:{player.player_id}"
    if await service.ledger.transfer_by_id(transfer_id) is not None:
        return False
    group: list[Command] = [
        *house_accounts(player.currency),
        TransferRequest.create(
            transfer_id,
            debit_account_id=promotions_account(player.currency),
            credit_account_id=player.cash_account_id,
            amount_minor=amount,
            currency=player.currency,
            reason="cashback",
            metadata={"offer_id": offer.offer_id, "period": period},
        ),
        balance_changed_for(player.player_id, player.cash_account_id, "cashback", amount,
                            transfer_id),
        notice(player.player_id, "cashback", {"offer_id": offer.offer_id, "period": period,
                                              "amount": amount}),
    ]  # fmt: skip
    applied = await service.ledger.submit(group)
    return not applied.replayed


def _day(number: int) -> str:
    """Day ``number`` since 1970-01-01, ISO."""
    return date.fromordinal(_EPOCH.toordinal() + number).isoformat()


def today_utc() -> date:
    return datetime.now(UTC).date()
