"""What players hear: the short notices on ``player:<id>`` and the lobby's jackpot wins.

A round's full record lives on its own stream (:mod:`croupier.domain.events.rounds`); the
player's stream gets a notice in the same linked group, so a client following it sees
every round start and settle, and every movement of their cash, in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from croupier.domain.events.base import Record, address, filled
from croupier.domain.events.streams import LOBBY_STREAM, player_stream

__all__ = ["BalanceChanged", "JackpotWon", "RoundSettledNotice", "RoundStartedNotice"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundStartedNotice(Record):
    """A round of the player's opened: one per round, so round history pages through these."""

    TYPE: ClassVar[str] = "round.started"
    FAMILY: ClassVar[str] = "player"

    player_id: str = address()
    round_id: str

    @property
    def stream(self) -> str:
        return player_stream(self.player_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundSettledNotice(Record):
    """A round of the player's settled. The ledger fills in ``balance_after`` (the player's
    available cash once the group is applied, whatever else ran in the same batch) and, on a
    hit, ``jackpot_win`` (what the pool paid, already in ``balance_after``)."""

    TYPE: ClassVar[str] = "round.settled"
    FAMILY: ClassVar[str] = "player"

    player_id: str = address()
    round_id: str
    game_id: str
    currency: str
    stake: int
    win: int
    jackpot_hit: bool
    balance_after: int | None = filled()
    jackpot_win: int | None = filled()

    @property
    def stream(self) -> str:
        return player_stream(self.player_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class BalanceChanged(Record):
    """The player's available cash moved by ``delta`` (a deposit, a withdrawal, its
    release), through ``transfer_id``; the ledger fills in ``balance_after``."""

    TYPE: ClassVar[str] = "balance.changed"
    FAMILY: ClassVar[str] = "player"

    player_id: str = address()
    reason: str
    delta: int
    transfer_id: str
    balance_after: int | None = filled()

    @property
    def stream(self) -> str:
        return player_stream(self.player_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class JackpotWon(Record):
    """A round hit a progressive jackpot: the ledger fills in the ``amount`` the pool paid."""

    TYPE: ClassVar[str] = "jackpot.won"
    FAMILY: ClassVar[str] = "lobby"

    round_id: str
    game_id: str
    currency: str
    pool: str  # the pool's ledger account
    amount: int | None = filled()

    @property
    def stream(self) -> str:
        return LOBBY_STREAM
