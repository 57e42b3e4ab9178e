"""The money a tournament event moves, as ledger transfers with deterministic ids.

Every id is ``poker-tournament:<id>:<seq>:<what>:<player>``, ``seq`` being the sequence
number of the event the transfers are committed with (one linked group): a retried or
replayed command cannot move money twice, and a group that did not commit moved nothing.
(The slot tournaments of ``engagement`` own ``tournament:…``.)

- registration: buy-in wallet → pool, fee wallet → house;
- unregistration, cancellation, a late entry refused at the end of its round: the same two
  back (pool → wallet, house → wallet);
- re-buy, add-on: the price wallet → pool;
- the end (``tournament.paid``, in groups, see ``TournamentModel.refunds_due``): the
  refunds of a cancelled tournament; the overlay house → pool (``pool − collected`` when
  the guarantee is above what players paid in), then every prize pool → wallet. The pool
  account ends at zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from croupier.domain.accounts.player import cash_account_id
from croupier.domain.ledger import Account, AccountKind, Command, CreateAccount, TransferRequest
from croupier.domain.poker import tournament_events as ev
from croupier.services.jackpots import house_account
from croupier.services.poker.tournaments.state import TournamentModel

__all__ = ["money_for", "pool_account"]


def pool_account(tournament_id: str, currency: str) -> str:
    return f"poker-tournament:{tournament_id}:{currency}"


def money_for(
    after: TournamentModel,
    seq: int,
    events: Sequence[ev.TournamentEvent],
    house_floor_minor: int,
    paid: Mapping[str, Any] | None = None,
) -> list[Command]:
    """The ledger commands of the event ``seq`` that caused ``events`` (``paid``: the data
    of a ``tournament.paid``); ``after`` is the model once it is folded."""
    structure = after.tournament.structure
    currency, pool = after.currency, after.pool_account
    house = house_account(currency)
    commands: list[Command] = []

    def move(what: str, player: str, debit: str, credit: str, amount: int) -> None:
        if amount > 0:
            commands.append(
                TransferRequest.create(
                    f"poker-tournament:{after.tournament_id}:{seq}:{what}:{player}",
                    debit_account_id=debit,
                    credit_account_id=credit,
                    amount_minor=amount,
                    currency=currency,
                    reason=f"poker-tournament-{what}",
                )
            )

    def refund(player: str) -> None:
        move("refund", player, pool, cash_account_id(player), structure.buy_in_minor)
        move("fee-refund", player, house, cash_account_id(player), structure.fee_minor)

    for event in events:
        if isinstance(event, ev.PlayerRegistered):
            wallet = cash_account_id(event.entrant_id)
            move("buy-in", event.entrant_id, wallet, pool, event.buy_in_minor)
            move("fee", event.entrant_id, wallet, house, event.fee_minor)
        elif isinstance(event, ev.PlayerUnregistered):
            refund(event.entrant_id)
        elif isinstance(event, (ev.RebuyBought, ev.AddOnBought)):
            what = "rebuy" if isinstance(event, ev.RebuyBought) else "add-on"
            move(what, event.entrant_id, cash_account_id(event.entrant_id), pool, event.price_minor)
    if paid is not None:  # the overlay first: the pool's floor is 0
        move("overlay", "house", house, pool, paid["overlay_minor"])
        for player in paid["refunds"]:
            refund(player)
        for player, amount in paid["prizes"]:
            move("prize", player, pool, cash_account_id(player), amount)
    if any(
        isinstance(c, TransferRequest) and house in (c.debit_account_id, c.credit_account_id)
        for c in commands
    ):
        # the house opens with the rounds' floor, idempotently, if no round has yet
        opened = CreateAccount(
            Account(house, AccountKind.HOUSE_BANKROLL, currency, house_floor_minor)
        )
        commands.insert(0, opened)
    return commands
