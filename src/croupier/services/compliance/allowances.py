"""Players' deposit, loss and wager limits enforced by the ledger itself, atomically with the
money they limit.

Each limit in force for a calendar period is an *allowance account* in the ledger,
``rg:<player>:<kind>:<period key>``, with a floor of 0, funded up to the limit from its
*funding account* ``rgf:…`` (no floor). A deposit, or a round, carries in its own linked
group a transfer of its amount from each allowance to the player's *usage account*
``rgu:<player>``. The ledger's single writer applies a group whole or not at all, so a group
that would take an allowance below 0 (the limit passed) is refused with nothing moved, and
no two requests, however concurrent, can both spend the same allowance: the ledger's floor
check is the limit check. A deposit reserves its share (a pending transfer, posted or voided
with the deposit); a round's is posted with the round.

Before each use the allowance is *synchronised* with the limit in force: the funding account
says how much was funded (its debits less its credits), and a transfer tops it up to the limit
or takes back (balancing: at most what is left) the difference. The adjustment's id names the
funding account's sums it was computed from, so two processes synchronising at once write the
same transfer once (the second is a replay): a limit is never funded twice.

A declined deposit voids its reservation, and where the limit was lowered meanwhile the same
group takes back what the void returned (:func:`release_excess`).

Memo accounts only: the allowance, funding and usage accounts balance among themselves and
never touch a player's cash; ``croupier ledger verify`` checks them like any other.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from croupier.domain.accounts.player import Player
from croupier.domain.compliance.responsible import PERIODS, PlayerLimits, period_key
from croupier.domain.errors import (
    AccountNotFound,
    CroupierError,
    DepositLimit,
    InsufficientFunds,
    LossLimit,
    WagerLimit,
)
from croupier.domain.ledger import (
    Account,
    AccountKind,
    Command,
    CreateAccount,
    TransferKind,
    TransferRequest,
)
from croupier.services.ledger.ports import LedgerClient

__all__ = [
    "UNLIMITED",
    "Allowances",
    "allowance_id",
    "limit_refusal",
    "release_excess",
    "round_usage",
]

_REFUSED = re.compile(r"account 'rg:[^:']+:(deposit|loss|wager):([^']+)'")
_ERRORS: Final[dict[str, type[CroupierError]]] = {
    "deposit": DepositLimit,
    "loss": LossLimit,
    "wager": WagerLimit,
}


#: The allowance of a tracked period without a limit: far above any period's deposits, and
#: far enough below the ledger's 64-bit sums for thousands of limit changes in one period.
UNLIMITED: Final = 10**15


def allowance_id(player_id: str, kind: str, key: str) -> str:
    return f"rg:{player_id}:{kind}:{key}"


def usage_id(player_id: str) -> str:
    return f"rgu:{player_id}"


def limit_refusal(error: InsufficientFunds) -> CroupierError | None:
    """The player-facing refusal (``deposit-limit``, ``loss-limit``, ``wager-limit``) when
    the ledger refused a group because an allowance account would go below 0; ``None`` when
    the shortfall was on another account (the player's cash, say)."""
    match = _REFUSED.search(str(error))
    if match is None:
        return None
    kind, key = match.groups()
    period = {"d": "daily", "w": "weekly", "m": "monthly"}[key[0]]
    return _ERRORS[kind](f"this would pass your {period} {kind} limit")


@dataclass(frozen=True, slots=True)
class Allowance:
    """One limit in force now: its allowance account and the limit's amount."""

    kind: str
    period: str
    account_id: str
    funding_id: str
    limit_minor: int
    currency: str


class Allowances:
    """Synchronises a player's allowance accounts with their limits, and builds the usage
    transfers a deposit or a round carries."""

    def __init__(self, ledger: LedgerClient) -> None:
        self.ledger = ledger

    def in_force(
        self,
        player: Player,
        limits: PlayerLimits,
        kind: str,
        now: datetime,
        *,
        track_unlimited: bool = False,
    ) -> list[Allowance]:
        """The allowances of ``kind`` for the periods ``now`` falls in (``limits`` already
        as in force at ``now``). With ``track_unlimited`` (deposits), a period without a
        limit is tracked too, against :data:`UNLIMITED`: a limit set later in the period
        then counts what the period has used already."""
        found = []
        for period in PERIODS:
            amount = limits.amount(kind, period)
            if amount is None:
                if not track_unlimited:
                    continue
                amount = UNLIMITED
            key = period_key(period, now)
            found.append(
                Allowance(
                    kind,
                    period,
                    allowance_id(player.player_id, kind, key),
                    f"rgf:{player.player_id}:{kind}:{key}",
                    amount,
                    player.currency,
                )
            )
        return found

    async def synchronise(self, player: Player, allowances: Iterable[Allowance]) -> None:
        """Open each allowance's accounts if needed and fund it up (or take back) to its
        limit (see the module's docstring: concurrent callers fund once)."""
        currency = player.currency
        for allowance in allowances:
            try:
                _, funding = await self.ledger.balance(allowance.funding_id)
                debits, credits = funding.debits_posted, funding.credits_posted
                group: list[Command] = []
            except AccountNotFound:
                debits = credits = 0
                group = [
                    CreateAccount(
                        Account(allowance.account_id, AccountKind.RG_ALLOWANCE, currency, 0)
                    ),
                    CreateAccount(
                        Account(allowance.funding_id, AccountKind.RG_FUNDING, currency, None)
                    ),
                    CreateAccount(
                        Account(usage_id(player.player_id), AccountKind.RG_USAGE, currency, None)
                    ),
                ]
            delta = allowance.limit_minor - (debits - credits)
            transfer_id = f"{allowance.funding_id}:{debits}.{credits}"
            if delta > 0:
                group.append(
                    TransferRequest.create(
                        transfer_id,
                        debit_account_id=allowance.funding_id,
                        credit_account_id=allowance.account_id,
                        amount_minor=delta,
                        currency=currency,
                        reason="rg_allowance",
                    )
                )
            elif delta < 0:
                # At most what is left: a limit lowered below what the period has used
                # leaves the allowance at 0 (the rest is taken back as usage returns).
                group.append(
                    TransferRequest.create(
                        transfer_id,
                        debit_account_id=allowance.account_id,
                        credit_account_id=allowance.funding_id,
                        amount_minor=-delta,
                        currency=currency,
                        reason="rg_allowance",
                        balancing=True,
                    )
                )
            if group:
                await self.ledger.submit(group)

    def deposit_reservations(
        self, player: Player, allowances: Sequence[Allowance], intent_id: str, amount: int
    ) -> list[TransferRequest]:
        """The deposit's share of each allowance, reserved with its intent (posted or voided
        with it): ids ``rg-<period>:<intent id>``."""
        return [
            TransferRequest.create(
                f"rg-{a.period}:{intent_id}",
                kind=TransferKind.PENDING,
                debit_account_id=a.account_id,
                credit_account_id=usage_id(player.player_id),
                amount_minor=amount,
                currency=player.currency,
                reason="rg_deposit",
            )
            for a in allowances
        ]


async def release_excess(
    ledger: LedgerClient,
    limits: PlayerLimits,
    pending_ids: Sequence[str],
    now: datetime,
) -> list[TransferRequest]:
    """What a declined deposit's group carries after voiding its reservations: where the
    allowance is funded above the limit in force (the limit was lowered while the deposit
    was out), a balancing take-back of what the void returns, at most the excess, so the
    returned amount is never there for a concurrent deposit to spend. Its id is apart from
    the synchronisations': racing one, both take back (the allowance errs low, and the next
    synchronisation funds it up again)."""
    moves = []
    for pending_id in pending_ids:
        pending = await ledger.transfer_by_id(pending_id)
        if pending is None:
            continue
        _, _, kind, key = pending.debit_account_id.split(":", 3)
        period = {"d": "daily", "w": "weekly", "m": "monthly"}[key[0]]
        if period_key(period, now) != key:
            continue  # a past period: nothing can spend it any more
        amount = limits.amount(kind, period)
        limit = UNLIMITED if amount is None else amount
        funding_id = "rgf:" + pending.debit_account_id.removeprefix("rg:")
        _, funding = await ledger.balance(funding_id)
        excess = funding.debits_posted - funding.credits_posted - limit
        if excess <= 0:
            continue
        moves.append(
            TransferRequest.create(
                f"{funding_id}:{funding.debits_posted}.{funding.credits_posted}:"
                + hashlib.sha256(pending_id.encode()).hexdigest()[:16],
                debit_account_id=pending.debit_account_id,
                credit_account_id=funding_id,
                amount_minor=min(excess, pending.amount_minor),
                currency=pending.currency,
                reason="rg_allowance",
                balancing=True,
            )
        )
    return moves


def round_usage(
    player: Player,
    round_id: str,
    group: Sequence[Command],
    wager: Sequence[Allowance],
    loss: Sequence[Allowance],
) -> list[TransferRequest]:
    """What a round's opening write takes from the wager and loss allowances: its stake, and
    its net loss (stake less the win paid in the same write: an instant round's whole result;
    a table round's stake alone, its win coming later is not given back). A net win gives
    the loss allowances back the difference, as a loss limit bounds net losses."""
    stake = win = 0
    for command in group:
        if not isinstance(command, TransferRequest) or command.amount_minor is None:
            continue
        if command.debit_account_id == player.cash_account_id and command.reason == "stake":
            stake += command.amount_minor
        elif command.credit_account_id == player.cash_account_id and command.reason == "win":
            win += command.amount_minor
    usage = usage_id(player.player_id)
    moves = []
    for allowance in wager:
        if stake:
            moves.append(_move(f"rg-wager-{allowance.period}:{round_id}", allowance, usage, stake))
    net = stake - win
    for allowance in loss:
        transfer_id = f"rg-loss-{allowance.period}:{round_id}"
        if net > 0:
            moves.append(_move(transfer_id, allowance, usage, net))
        elif net < 0:
            moves.append(
                TransferRequest.create(
                    transfer_id,
                    debit_account_id=usage,
                    credit_account_id=allowance.account_id,
                    amount_minor=-net,
                    currency=player.currency,
                    reason="rg_round",
                )
            )
    return moves


def _move(transfer_id: str, allowance: Allowance, usage: str, amount: int) -> TransferRequest:
    return TransferRequest.create(
        transfer_id,
        debit_account_id=allowance.account_id,
        credit_account_id=usage,
        amount_minor=amount,
        currency=allowance.currency,
        reason="rg_round",
    )
