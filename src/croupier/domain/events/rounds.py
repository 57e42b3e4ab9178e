"""A round's own records, on its stream ``round:<id>``.

An instant round (slots, roulette) is one record, :class:`RoundPlayed`, written with its
money. A blackjack round is :class:`RoundStarted` (with its stake reserved), one
:class:`RoundAction` per decision, then :class:`RoundSettled`. Rounds written by older
versions (an instant round as ``round.started`` then ``round.settled``) decode too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from croupier.domain.events.base import Record, address, filled, optional
from croupier.domain.events.streams import round_stream

__all__ = [
    "RecordedFairness",
    "RoundAction",
    "RoundPlayed",
    "RoundSettled",
    "RoundStarted",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedFairness:
    """What a round records of its fairness inputs: the server seed only as its hash."""

    pair_id: int
    server_seed_hash: str
    client_seed: str
    nonce: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundPlayed(Record):
    """An instant round, whole: its bet, fairness, outcome and what it paid.

    The ledger fills in ``balance_after`` (the player's available cash once the round's group
    is applied) and, on a jackpot hit, ``jackpot_win`` (what the pool paid)."""

    TYPE: ClassVar[str] = "round.played"
    FAMILY: ClassVar[str] = "round"

    round_id: str
    player_id: str
    game_id: str
    game_version: int
    currency: str
    stake: int  # minor units, as every amount here
    choices: Any  # the bet as the game parsed it: JSON, shown back in recall
    request_fingerprint: str
    fairness: RecordedFairness
    outcome: Mapping[str, Any]
    win: int
    jackpot_contribution: int
    balance_after: int | None = filled()
    jackpot_win: int | None = filled()

    @property
    def stream(self) -> str:
        return round_stream(self.round_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundStarted(Record):
    """A blackjack round dealt, its stake reserved: everything needed to recompute it
    (the table's ``rules``, the fairness inputs) and the balance before the deal.

    ``rules`` is absent from instant rounds written by older versions."""

    TYPE: ClassVar[str] = "round.started"
    FAMILY: ClassVar[str] = "round"

    round_id: str
    player_id: str
    game_id: str
    game_version: int
    currency: str
    stake: int
    choices: Any
    request_fingerprint: str
    fairness: RecordedFairness
    balance_before: int | None = optional()
    rules: Mapping[str, Any] | None = optional()

    @property
    def stream(self) -> str:
        return round_stream(self.round_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundAction(Record):
    """One decision on a blackjack round; ``reservation`` names the pending transfer of its
    ``extra_stake`` (a double, a split, insurance), ``None`` when it adds none. ``key`` is
    the request's Idempotency-Key: the same key again is a replay."""

    TYPE: ClassVar[str] = "round.action"
    FAMILY: ClassVar[str] = "round"

    round_id: str = address()
    action: str
    key: str
    extra_stake: int
    reservation: str | None

    @property
    def stream(self) -> str:
        return round_stream(self.round_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundSettled(Record):
    """A round's settlement: its outcome, every reservation posted and the return paid."""

    TYPE: ClassVar[str] = "round.settled"
    FAMILY: ClassVar[str] = "round"

    round_id: str = address()
    outcome: Mapping[str, Any]
    win: int
    jackpot_contribution: int
    balance_after: int | None = filled()
    jackpot_win: int | None = filled()

    @property
    def stream(self) -> str:
        return round_stream(self.round_id)
