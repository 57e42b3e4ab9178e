"""Ledger accounts and their balances.

Balances are credit-normal, as a player sees them: money a player owns is a *credit* on the
player's account. Every transfer debits one account and credits another by the same amount,
so across a currency all ``posted`` balances sum to zero by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from croupier.domain.errors import InvalidTransfer
from croupier.domain.money import check_amount, currency

__all__ = ["ACCOUNT_ID_PATTERN", "Account", "AccountKind", "Balance", "check_account_id"]

# Printable, no spaces; ``~`` is reserved for ids the ledger makes itself.
ACCOUNT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._@/-]{0,127}\Z")


class AccountKind(StrEnum):
    PLAYER_CASH = "player_cash"
    PLAYER_BONUS = "player_bonus"
    HOUSE_BANKROLL = "house_bankroll"
    JACKPOT_POOL = "jackpot_pool"
    PAYMENT_CLEARING = "payment_clearing"
    PROMOTIONS = "promotions"
    RAKE = "rake"
    #: The operator's side of manual adjustments (``adjustments:<CUR>``, no floor).
    ADJUSTMENTS = "adjustments"
    #: A player's responsible-gambling allowance for one limit and calendar period (floor 0:
    #: what the limit leaves), its funding side and the player's usage side (no floor). Memo
    #: accounts: they move no player money (docs/compliance.md).
    RG_ALLOWANCE = "rg_allowance"
    RG_FUNDING = "rg_funding"
    RG_USAGE = "rg_usage"
    #: A live cash table's chips (``escrow:<table>:<CUR>``, floor 0): the stacks, bets and
    #: pots of everyone seated (``services/poker``; checked by ``ledger verify``).
    TABLE_ESCROW = "table_escrow"
    #: What a player owes the casino (``receivable:<player>:<CUR>``, no floor): a chargeback
    #: larger than the player's cash books the shortfall here (docs/payments.md).
    PLAYER_RECEIVABLE = "player_receivable"
    #: A tournament's prize pool (``poker-tournament:<id>:<CUR>``, floor 0): buy-ins, re-buys,
    #: add-ons and the house's overlay in, prizes and refunds out; zero once paid.
    TOURNAMENT_POOL = "tournament_pool"
    #: What a bonus still needs wagered (``bonus-wagering:<bonus>``, floor 0) and its funding
    #: side (``bonus-wagering-funding:<CUR>``, no floor): memo accounts, no player money
    #: (docs/bonuses.md).
    BONUS_WAGERING = "bonus_wagering"
    BONUS_WAGERING_FUNDING = "bonus_wagering_funding"


def check_account_id(account_id: object, *, what: str = "account id") -> str:
    if not isinstance(account_id, str) or not ACCOUNT_ID_PATTERN.match(account_id):
        raise InvalidTransfer(f"{what} must match {ACCOUNT_ID_PATTERN.pattern}: {account_id!r}")
    return account_id


@dataclass(frozen=True, slots=True)
class Account:
    """An account: what it is for, its currency, and how low its balance may go.

    ``floor_minor`` is the lowest ``available`` balance allowed: 0 for players and pools,
    minus a configured limit for the house bankroll, ``None`` (no floor) for payment clearing,
    which mirrors money outside the casino.
    """

    id: str
    kind: AccountKind
    currency: str
    floor_minor: int | None

    def __post_init__(self) -> None:
        check_account_id(self.id)
        if not isinstance(self.kind, AccountKind):
            raise InvalidTransfer(f"unknown account kind {self.kind!r}")
        currency(self.currency)
        if self.floor_minor is not None:
            check_amount(self.floor_minor, what="floor_minor")
            if self.floor_minor > 0:
                raise InvalidTransfer(f"floor_minor must be <= 0, got {self.floor_minor}")


@dataclass(slots=True)
class Balance:
    """Running sums of an account. Mutable, but only the ledger state (one writer) changes it."""

    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0

    @property
    def posted(self) -> int:
        return self.credits_posted - self.debits_posted

    @property
    def pending(self) -> int:
        """Funds reserved by pending debits: not yet gone, no longer available."""
        return self.debits_pending

    @property
    def available(self) -> int:
        return self.posted - self.debits_pending

    def copy(self) -> Balance:
        return Balance(
            self.debits_posted, self.credits_posted, self.debits_pending, self.credits_pending
        )
