"""The ledger commands of the bonus engine: every bonus movement is a transfer in the same
linked group as the event that records it (docs/bonuses.md, "On the ledger").

Accounts:

=================================  ==================  =====================================
``bonus-promotions:<CUR>``         promotions, no floor the house's side: grants come from it,
                                                        forfeits and expiries go back to it
``player:<p>:bonus``               player bonus, 0      the player's bonus funds
``bonus-wagering:<bonus>``         memo, floor 0        what the bonus still needs wagered
``bonus-wagering-funding:<CUR>``   memo, no floor       the memo's other side
=================================  ==================  =====================================

Transfer ids derive from the bonus id (``bonus:<bonus>:grant`` …) or the round id
(``<round>:bonus-stake``), so a retry after a crash is a replay; an end (conversion,
expiry, forfeiture, loss) also appends ``bonus.ended`` to the player's bonus stream at the
seq it read (``expected_seq``): two ends racing, only one commits.
"""

from __future__ import annotations

from typing import Final

from croupier.domain.accounts.player import Player
from croupier.domain.bonus import BonusGrant, Outcome
from croupier.domain.ledger import (
    Account,
    AccountKind,
    AppendEvent,
    Command,
    CreateAccount,
    TransferRequest,
)
from croupier.services.stream.channels import player_stream

__all__ = [
    "ALL",
    "bonus_stream",
    "end_commands",
    "funding_account",
    "grant_commands",
    "promotions_account",
    "wagering_account",
]

#: "Everything there is": the amount of a balancing transfer meant to empty its account.
ALL: Final = 2**62
OFFERS_STREAM: Final = "bonus-offers:all"


def promotions_account(currency: str) -> str:
    return f"bonus-promotions:{currency}"


def funding_account(currency: str) -> str:
    return f"bonus-wagering-funding:{currency}"


def wagering_account(bonus_id: str) -> str:
    return f"bonus-wagering:{bonus_id}"


def spins_account(bonus_id: str) -> str:
    """A free-spins bonus's stakes, set aside from the promotions account at its grant."""
    return f"bonus-spins:{bonus_id}"


def bonus_stream(player_id: str) -> str:
    return f"bonus:{player_id}"


def house_accounts(currency: str) -> list[Command]:
    return [
        CreateAccount(
            Account(promotions_account(currency), AccountKind.PROMOTIONS, currency, None)
        ),
        CreateAccount(
            Account(funding_account(currency), AccountKind.BONUS_WAGERING_FUNDING, currency, None)
        ),
    ]


def notice(
    player_id: str,
    kind: str,
    data: dict[str, object],
    *,
    balances: dict[str, str] | None = None,
    amounts: dict[str, str] | None = None,
) -> AppendEvent:
    """A ``bonus.*`` notice on the player's stream (their WebSocket feed)."""
    return AppendEvent.create(
        player_stream(player_id), f"bonus.{kind}", data, balances=balances, amounts=amounts
    )


def grant_commands(player: Player, grant: BonusGrant, head_seq: int) -> list[Command]:
    """Credit the bonus from the promotions account, open its wagering memo, record it."""
    currency, bonus_id = grant.currency, grant.bonus_id
    group: list[Command] = [
        *house_accounts(currency),
        CreateAccount(Account(wagering_account(bonus_id), AccountKind.BONUS_WAGERING, currency, 0)),
    ]
    if grant.amount_minor > 0:
        group.append(
            TransferRequest.create(
                f"bonus:{bonus_id}:grant",
                debit_account_id=promotions_account(currency),
                credit_account_id=player.bonus_account_id,
                amount_minor=grant.amount_minor,
                currency=currency,
                reason="bonus_grant",
                metadata={"offer_id": grant.offer_id},
            )
        )
    if grant.spins:
        group += [
            CreateAccount(Account(spins_account(bonus_id), AccountKind.PROMOTIONS, currency, 0)),
            TransferRequest.create(
                f"bonus:{bonus_id}:spins",
                debit_account_id=promotions_account(currency),
                credit_account_id=spins_account(bonus_id),
                amount_minor=grant.spins * grant.spin_stake_minor,
                currency=currency,
                reason="bonus_free_spins",
                metadata={"offer_id": grant.offer_id, "game_id": grant.game_id},
            ),
        ]
    if grant.requirement_minor > 0:
        group.append(
            TransferRequest.create(
                f"bonus:{bonus_id}:requirement",
                debit_account_id=funding_account(currency),
                credit_account_id=wagering_account(bonus_id),
                amount_minor=grant.requirement_minor,
                currency=currency,
                reason="bonus_requirement",
            )
        )
    group += [
        AppendEvent.create(
            bonus_stream(player.player_id), "bonus.granted", grant.as_data(), expected_seq=head_seq
        ),
        notice(
            player.player_id,
            "granted",
            {
                "bonus_id": bonus_id,
                "offer_id": grant.offer_id,
                "amount": grant.amount_minor,
                "requirement": grant.requirement_minor,
                **({"game_id": grant.game_id, "spins": grant.spins} if grant.spins else {}),
                "expires_ms": grant.expires_ms,
            },
            # the bonus account is in the group only when funds are granted (not free spins)
            balances={"bonus_balance": player.bonus_account_id} if grant.amount_minor else None,
        ),
    ]
    return group


def end_commands(
    player: Player, grant: BonusGrant, outcome: Outcome, head_seq: int
) -> list[Command]:
    """End the bonus: a conversion moves bonus funds to cash (up to its maximum), and every
    end returns what is left to the promotions account and clears the wagering memo."""
    currency, bonus_id = grant.currency, grant.bonus_id
    group: list[Command] = list(house_accounts(currency))
    amounts: dict[str, str] = {}
    if outcome is Outcome.CONVERTED:
        converted = f"bonus:{bonus_id}:convert"
        group.append(
            TransferRequest.create(
                converted,
                debit_account_id=player.bonus_account_id,
                credit_account_id=player.cash_account_id,
                amount_minor=grant.conversion_max_minor or ALL,
                currency=currency,
                reason="bonus_conversion",
                balancing=True,
            )
        )
        amounts["converted"] = converted
    returned = f"bonus:{bonus_id}:{outcome.value}"
    if grant.spins:  # spins not played return to the house
        group.append(
            TransferRequest.create(
                f"bonus:{bonus_id}:spins-returned",
                debit_account_id=spins_account(bonus_id),
                credit_account_id=promotions_account(currency),
                amount_minor=ALL,
                currency=currency,
                reason="bonus_free_spins",
                balancing=True,
            )
        )
    group += [
        TransferRequest.create(
            returned,
            debit_account_id=player.bonus_account_id,
            credit_account_id=promotions_account(currency),
            amount_minor=ALL,
            currency=currency,
            reason=f"bonus_{outcome.value}",
            balancing=True,
        ),
        TransferRequest.create(
            f"bonus:{bonus_id}:cleared",
            debit_account_id=wagering_account(bonus_id),
            credit_account_id=funding_account(currency),
            amount_minor=ALL,
            currency=currency,
            reason="bonus_requirement",
            balancing=True,
        ),
        AppendEvent.create(
            bonus_stream(player.player_id),
            "bonus.ended",
            {"bonus_id": bonus_id, "outcome": outcome.value},
            expected_seq=head_seq,
        ),
    ]
    amounts["forfeited"] = returned
    balances = {"bonus_balance": player.bonus_account_id}
    if outcome is Outcome.CONVERTED:  # the cash it landed in
        balances["balance_after"] = player.cash_account_id
    group.append(
        notice(
            player.player_id,
            outcome.value,
            {"bonus_id": bonus_id, "offer_id": grant.offer_id},
            amounts=amounts,
            balances=balances,
        )
    )
    return group
