"""The poker messages of ``/v1/ws``: ``table.join``, ``table.act``, ``table.sit_out``,
``table.leave``, ``table.top_up``, and ``table.view`` (read only); ``tournament.register``,
``tournament.unregister``, ``tournament.rebuy``, ``tournament.add_on``,
``tournament.decline_rebuy`` and ``tournament.view`` (read only).

Each is checked here (a :class:`BadMessage` for a malformed one), then run by the table; a
refusal is an error frame with the same code and status as over HTTP, and changes nothing.
The answer, ``table.state``, is the table as the sender sees it: their own hole cards and
choices included, which is why it is a private frame and never an event on the table's
stream."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from croupier.api.ws.protocol import BadMessage, reply_frame
from croupier.domain.accounts import Player
from croupier.domain.errors import InsufficientFunds
from croupier.domain.ledger import Command, TransferRequest
from croupier.domain.poker.live_errors import TableNotFound, TournamentNotFound
from croupier.services.poker.tournaments import LiveTournament, TournamentLobby
from croupier.services.poker.tournaments.live import EntryUsage
from croupier.services.poker.tournaments.views import tournament_view

if TYPE_CHECKING:
    from croupier.bootstrap import Platform

__all__ = ["TABLE_MESSAGES", "before_buy_in", "register", "table_request", "tournaments_of"]

TABLE_MESSAGES = (
    "table.join",
    "table.act",
    "table.sit_out",
    "table.leave",
    "table.top_up",
    "table.view",
    "tournament.register",
    "tournament.unregister",
    "tournament.rebuy",
    "tournament.add_on",
    "tournament.decline_rebuy",
    "tournament.view",
)
_ACTIONS = ("fold", "check", "call", "bet", "raise")
_TABLE_ID_MAX = 80


def table_id_of(message: dict[str, Any]) -> str:
    table_id = message.get("table_id")
    if (
        not isinstance(table_id, str)
        or not 1 <= len(table_id) <= _TABLE_ID_MAX
        or not set(table_id) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    ):
        raise BadMessage(
            "invalid-request", "table_id must be a table's id", message.get("request_id")
        )
    return table_id


def _amount(message: dict[str, Any], key: str, *, required: bool) -> int | None:
    value = message.get(key)
    if value is None and not required:
        return None
    if type(value) is not int:
        raise BadMessage(
            "invalid-request", f"{key} must be an integer of minor units", message.get("request_id")
        )
    return value


async def before_buy_in(platform: Platform, player: Player, game_id: str) -> None:
    """The checks a round's stake passes, for a table's buy-in or a tournament entry:
    TOTP enrolment where required, then the play gate (account status, the operator's game
    switch, self-exclusion and time-outs, KYC). A refusal changes nothing."""
    await platform.accounts.check_can_play(player)
    gate = platform.rounds.gate
    if gate is not None:
        await gate.before_round(player.player_id, game_id)


async def register(platform: Platform, player: Player, live: LiveTournament) -> None:
    """Enter ``live`` as a stake is played: the play gate first, then the entry with the
    player's wager and loss limits in the same ledger group (``loss-limit``/``wager-limit``
    past them, nothing changed)."""
    await _buy(platform, player, live, live.register)


async def _buy(
    platform: Platform,
    player: Player,
    live: LiveTournament,
    buy: Callable[[str, EntryUsage | None], Awaitable[None]],
) -> None:
    """An entry, re-buy or add-on, checked as a stake: the play gate, and the wager and
    loss limits counted in the same ledger group."""
    await before_buy_in(platform, player, live.model.structure_id)
    hook = platform.rounds.responsible
    if hook is None:
        await buy(player.player_id, None)
        return

    async def usage(amount_minor: int, entry_id: str) -> list[Command]:
        assert hook is not None
        # the money as a round's stake: what the hook counts against the limits
        stake = TransferRequest.create(
            f"poker-entry:{entry_id}",
            debit_account_id=player.cash_account_id,
            credit_account_id=live.model.pool_account,
            amount_minor=amount_minor,
            currency=player.currency,
            reason="stake",
        )
        return list(await hook.round_commands(player, f"poker-entry-{entry_id}", [stake]))

    try:
        await buy(player.player_id, usage)
    except InsufficientFunds as refused:
        raise hook.refusal(refused) from None


def tournaments_of(platform: Platform) -> TournamentLobby:
    directory = platform.poker
    if directory is None or directory.tournaments is None:
        raise TournamentNotFound("no tournaments run on this server")
    return directory.tournaments


async def tournament_request(platform: Platform, player: Player, message: dict[str, Any]) -> str:
    """``tournament.register``, ``tournament.unregister``, ``tournament.view``: the
    ``tournament.state`` frame (the tournament as the sender sees it)."""
    kind, request_id = message["type"], message.get("request_id")
    tournament_id = message.get("tournament_id")
    if not isinstance(tournament_id, str) or not 1 <= len(tournament_id) <= _TABLE_ID_MAX:
        raise BadMessage("invalid-request", "tournament_id must be a tournament's id", request_id)
    live = tournaments_of(platform).get(tournament_id)
    if kind == "tournament.register":
        await register(platform, player, live)
    elif kind == "tournament.unregister":
        await live.unregister(player.player_id)
    elif kind == "tournament.rebuy":
        await _buy(platform, player, live, live.rebuy)
    elif kind == "tournament.add_on":
        await _buy(platform, player, live, live.add_on)
    elif kind == "tournament.decline_rebuy":
        await live.decline_rebuy(player.player_id)
    return reply_frame("tournament.state", request_id, data=tournament_view(live, player.player_id))


async def table_request(platform: Platform, player: Player, message: dict[str, Any]) -> str:
    """Run one table message for ``player``; the ``table.state`` frame to answer with."""
    kind, request_id = message["type"], message.get("request_id")
    if kind.startswith("tournament."):
        return await tournament_request(platform, player, message)
    directory = platform.poker
    if directory is None:
        raise TableNotFound("no live tables are open on this server")
    table = directory.get(table_id_of(message))
    player_id = player.player_id
    if kind == "table.join":
        seat = _amount(message, "seat", required=False)
        buy_in = _amount(message, "buy_in_minor", required=True)
        assert buy_in is not None
        await before_buy_in(platform, player, table.model.game_id)
        await table.join(player_id, buy_in, seat)
    elif kind == "table.act":
        action = message.get("action")
        if action not in _ACTIONS:
            raise BadMessage(
                "invalid-request", f"action must be one of {', '.join(_ACTIONS)}", request_id
            )
        await table.act(player_id, action, _amount(message, "amount_minor", required=False))
    elif kind == "table.sit_out":
        sitting_out = message.get("sitting_out", True)
        if not isinstance(sitting_out, bool):
            raise BadMessage("invalid-request", "sitting_out must be true or false", request_id)
        await table.sit_out(player_id, sitting_out)
    elif kind == "table.leave":
        await table.leave(player_id)
    elif kind == "table.view":
        pass  # the answer is the view: your cards and, on your turn, your choices
    else:
        amount = _amount(message, "amount_minor", required=True)
        assert amount is not None
        await table.top_up(player_id, amount)
    return reply_frame("table.state", request_id, data=table.view(player_id))
