"""A round while the player has an active bonus (docs/bonuses.md, "Rounds").

Before anything moves, :meth:`RoundBonus.before_round` refuses a stake above the bonus's
maximum bet (``bonus-max-bet``). Its cost for a player without a bonus is a look in this
process's cache: no read at all while the cached state is fresh.

The round's own write is unchanged (its stake from cash, its win to cash); the bonus adds,
in the same linked group:

* before the stake, ``<round>:bonus-stake``: bonus → cash of the part of the stake cash
  cannot cover (spending order: cash first, then bonus);
* after the win, ``<round>:bonus-win``: cash → bonus of the win's bonus share (the stake's
  proportions, :func:`~croupier.domain.bonus.split_win`);
* ``<round>:bonus-wagering``: the weighted stake off the bonus's wagering memo (a balancing
  transfer: never below 0, so progress never passes the requirement);
* a ``bonus.progressed`` notice when the round crosses a quarter of the requirement.

A table round (blackjack) reserves its stake from cash alone: it counts towards wagering
(its weight) but spends no bonus funds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from croupier.domain.accounts.player import Player
from croupier.domain.bonus import BonusGrant, contribution, milestone, split_stake, split_win
from croupier.domain.errors import AccountNotFound, BonusMaxBet, CroupierError
from croupier.domain.ledger import Command, TransferKind, TransferRequest
from croupier.services.bonus.ledger_ops import (
    funding_account,
    notice,
    spins_account,
    wagering_account,
)
from croupier.services.bonus.service import BonusService

__all__ = ["BonusRound", "RoundBonus"]

_log = logging.getLogger("croupier.bonus")


@dataclass(slots=True)
class BonusRound:
    """One round's bonus: the grant it plays under, and what the write took and gave."""

    grant: BonusGrant
    weight_percent: int
    game_id: str = ""
    bonus_left_minor: int = 0
    remaining_minor: int = 0
    spins_left: int = 0


class RoundBonus:
    def __init__(self, service: BonusService, kind_of: Callable[[str], str | None]) -> None:
        self.service = service
        self.kind_of = kind_of

    async def before_round(
        self, player: Player, game_id: str, stake_minor: int
    ) -> BonusRound | None:
        """``None`` without an active bonus; ``BonusMaxBet`` for a stake above its cap."""
        state = await self.service.states.get(player.player_id)
        grant = state.active
        if grant is None:
            return None
        if grant.max_bet_minor is not None and stake_minor > grant.max_bet_minor:
            raise BonusMaxBet(
                f"a stake while your bonus is active is at most {grant.max_bet_minor} minor "
                f"units (this one: {stake_minor})"
            )
        kind = self.kind_of(game_id)
        return BonusRound(grant, grant.weights.get(kind or "", 0), game_id)

    async def round_commands(
        self, player: Player, bonus: BonusRound, round_id: str, written: Sequence[Command]
    ) -> tuple[list[Command], list[Command]]:
        """(before the round's write, after it): the split, the win's share, the wagering."""
        transfers = {c.id: c for c in written if isinstance(c, TransferRequest)}
        stake = transfers.get(f"{round_id}:stake")
        if stake is None or stake.amount_minor is None:
            return [], []
        grant, currency = bonus.grant, player.currency
        stake_minor = stake.amount_minor
        win = transfers.get(f"{round_id}:win")
        win_minor = (win.amount_minor or 0) if win is not None else 0
        _, funds = await self.service.ledger.balance(player.bonus_account_id)
        try:
            _, memo = await self.service.ledger.balance(wagering_account(grant.bonus_id))
            remaining = memo.available
        except AccountNotFound:
            remaining = 0
        if await self._free_spin(bonus, stake):
            return self._free_spin_commands(
                player, bonus, round_id, stake_minor, win_minor, funds.available, remaining
            )
        _, cash = await self.service.ledger.balance(player.cash_account_id)
        before: list[Command] = []
        after: list[Command] = []
        bonus_win = 0
        taken = 0
        if stake.kind is TransferKind.SINGLE:  # an instant round: bonus funds may pay
            split = split_stake(stake_minor, cash_minor=cash.available, bonus_minor=funds.available)
            taken = split.bonus_minor
            if taken:
                before.append(
                    _move(
                        f"{round_id}:bonus-stake",
                        player.bonus_account_id,
                        player.cash_account_id,
                        taken,
                        currency,
                        "bonus_stake",
                    )
                )
            _, bonus_win = split_win(win_minor, split)
            if bonus_win:
                after.append(
                    _move(
                        f"{round_id}:bonus-win",
                        player.cash_account_id,
                        player.bonus_account_id,
                        bonus_win,
                        currency,
                        "bonus_win",
                    )
                )
        counted = contribution(stake_minor, bonus.weight_percent)
        if counted and remaining:
            wagered = f"{round_id}:bonus-wagering"
            after.append(
                TransferRequest.create(
                    wagered,
                    debit_account_id=wagering_account(grant.bonus_id),
                    credit_account_id=funding_account(currency),
                    amount_minor=counted,
                    currency=currency,
                    reason="bonus_wagering",
                    balancing=True,
                )
            )
            left = max(0, remaining - counted)
            step = milestone(grant.requirement_minor, left)
            if 0 < step < 4 and step > milestone(grant.requirement_minor, remaining):
                after.append(
                    notice(
                        player.player_id,
                        "progressed",
                        {
                            "bonus_id": grant.bonus_id,
                            "percent": step * 25,
                            "requirement": grant.requirement_minor,
                        },
                        balances={"remaining": wagering_account(grant.bonus_id)},
                    )
                )
            remaining = left
        bonus.bonus_left_minor = funds.available - taken + bonus_win
        bonus.remaining_minor = remaining
        return before, after

    async def _free_spin(self, bonus: BonusRound, stake: TransferRequest) -> bool:
        """Whether this round is one of the bonus's free spins: its game, at its stake, one
        (or more) left; the spins' account is read (and the ledger's floor guards it)."""
        grant = bonus.grant
        if not grant.spins or bonus.game_id != grant.game_id:
            return False
        if stake.kind is not TransferKind.SINGLE or stake.amount_minor != grant.spin_stake_minor:
            return False
        _, spins = await self.service.ledger.balance(spins_account(grant.bonus_id))
        bonus.spins_left = spins.available // grant.spin_stake_minor
        if not bonus.spins_left:
            return False
        bonus.spins_left -= 1
        return True

    @staticmethod
    def _free_spin_commands(
        player: Player,
        bonus: BonusRound,
        round_id: str,
        stake_minor: int,
        win_minor: int,
        funds_minor: int,
        remaining_minor: int,
    ) -> tuple[list[Command], list[Command]]:
        """The house pays the stake (from the spins' account); the whole win becomes bonus
        funds, and adds ``wagering_multiple`` × itself to the requirement. A free spin's
        stake counts towards no wagering."""
        grant, currency = bonus.grant, player.currency
        before: list[Command] = [
            _move(
                f"{round_id}:bonus-free-spin",
                spins_account(grant.bonus_id),
                player.cash_account_id,
                stake_minor,
                currency,
                "bonus_free_spin",
            )
        ]
        after: list[Command] = []
        added = win_minor * grant.wagering_multiple
        if win_minor:
            after.append(
                _move(
                    f"{round_id}:bonus-win",
                    player.cash_account_id,
                    player.bonus_account_id,
                    win_minor,
                    currency,
                    "bonus_win",
                )
            )
        if added:
            after.append(
                _move(
                    f"{round_id}:bonus-requirement",
                    funding_account(currency),
                    wagering_account(grant.bonus_id),
                    added,
                    currency,
                    "bonus_requirement",
                )
            )
        bonus.bonus_left_minor = funds_minor + win_minor
        bonus.remaining_minor = remaining_minor + added
        return before, after

    async def after_round(self, player: Player, bonus: BonusRound) -> None:
        """End the bonus if this round completed its wagering or spent its funds (or it
        expired meanwhile). A failure here is logged: the round stands, the sweep ends it."""
        due = (
            bonus.spins_left == 0 and (bonus.remaining_minor == 0 or bonus.bonus_left_minor == 0)
        ) or self.service.clock_ms() >= bonus.grant.expires_ms
        if not due:
            return
        try:
            await self.service.settle(player)
        except CroupierError:
            _log.warning(
                "ending the bonus of %s failed; the sweep retries", player.player_id, exc_info=True
            )

    def refused(self, player: Player) -> None:
        """The round was refused: read the state afresh next time."""
        self.service.states.forget(player.player_id)


def _move(
    transfer_id: str, debit: str, credit: str, amount: int, currency: str, reason: str
) -> TransferRequest:
    return TransferRequest.create(
        transfer_id,
        debit_account_id=debit,
        credit_account_id=credit,
        amount_minor=amount,
        currency=currency,
        reason=reason,
    )
