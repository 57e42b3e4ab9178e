"""Deposit matches a crash interrupted (docs/bonuses.md, "Ends, and the sweep"): a player
opted in to a deposit-match offer, their deposit settled, and the process died before the
match was granted. The sweep finds every opt-in still waiting whose player has a settled deposit
committed after it, and grants the match of the first such deposit.

Exactly once: the grant is appended to the player's bonus stream at the seq of the opt-in
(``expected_seq``) and its bonus id, hence every transfer id, derives from that seq, the
same ids the live handler (``bonus_wiring._on_balance``) uses for that opt-in. Whichever
of the two commits first consumes the opt-in; the other one's group conflicts (or finds
nothing waiting) and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final

from croupier.domain.accounts.player import Player
from croupier.domain.errors import StreamConflict
from croupier.domain.ledger import AccountKind, Transfer, TransferKind
from croupier.services.bonus.ledger_ops import bonus_stream

if TYPE_CHECKING:
    from croupier.services.bonus.service import BonusService

__all__ = ["grant_waiting_matches"]

_log = logging.getLogger("croupier.bonus")
#: Bonus streams read per request while looking for opt-ins, and cash transfers per page.
_CHUNK: Final = 500


async def grant_waiting_matches(
    service: BonusService, players: Callable[[str], Awaitable[Player | None]], *, limit: int
) -> int:
    """Grant every waiting deposit match whose deposit settled; how many were granted."""
    accounts = await service.ledger.accounts_of_kind(AccountKind.PLAYER_CASH.value, limit=limit)
    player_ids = [
        account.id.removeprefix("player:").removesuffix(":cash") for account, _ in accounts
    ]
    granted = 0
    for start in range(0, len(player_ids), _CHUNK):
        chunk = player_ids[start : start + _CHUNK]
        # one read tells which players ever had a bonus event (most never did)
        found = await service.ledger.first_events(
            [bonus_stream(player_id) for player_id in chunk], limit_per_stream=1
        )
        for player_id in chunk:
            if found.get(bonus_stream(player_id)):
                granted += await _grant_one(service, players, player_id)
    return granted


async def _grant_one(
    service: BonusService, players: Callable[[str], Awaitable[Player | None]], player_id: str
) -> int:
    state = await service.states.read(player_id)
    if state.waiting is None or state.active is not None:
        return 0
    opted_in = await service.ledger.stream_events(
        bonus_stream(player_id), after_seq=state.head_seq - 1, limit=1
    )
    if not opted_in or opted_in[0].type != "bonus.opted_in":
        return 0
    player = await players(player_id)
    if player is None:
        return 0
    deposit = await _first_deposit_after(service, player, opted_in[0].batch_seq)
    if deposit is None:
        return 0
    try:
        grant = await service.on_deposit(player, deposit.amount_minor)
    except StreamConflict:  # the live handler granted it meanwhile
        return 0
    if grant is not None:
        _log.info("deposit match %s granted by the sweep (%s)", grant.bonus_id, deposit.id)
    return grant is not None


async def _first_deposit_after(
    service: BonusService, player: Player, batch_seq: int
) -> Transfer | None:
    """The player's first settled deposit committed after ``batch_seq`` (the opt-in's)."""
    first: Transfer | None = None
    before: int | None = None
    while True:
        page = await service.ledger.history(
            player.cash_account_id, limit=_CHUNK, before_seq=before, posted_only=True
        )  # newest first
        for _, transfer in page:
            if transfer.batch_seq <= batch_seq:
                return first
            if (
                transfer.reason == "deposit"
                and transfer.kind in (TransferKind.SINGLE, TransferKind.POST)
                and transfer.credit_account_id == player.cash_account_id
                and transfer.amount_minor > 0
            ):
                first = transfer
        if len(page) < _CHUNK:
            return first
        before = page[-1][0]
