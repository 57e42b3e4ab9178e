"""A round's own records, on its stream ``round:<id>``.

An instant round (slots, roulette) is one record, :class:`RoundPlayed`, written with its
money. A blackjack round is :class:`RoundStarted` (with its stake reserved), one
:class:`RoundAction` per decision, then :class:`RoundSettled`. Rounds written by older
versions (an instant round as ``round.started`` then ``round.settled``) decode too.

``round.played`` has two versions, and both decode into :class:`RoundPlayed`:

* **1** (until issue 12's storage work) stored, besides the rest, its ``round_id``, the
  server seed's hash in ``fairness`` and the ``request_fingerprint``;
* **2** stores none of these when they can be derived again: the round id is its stream's
  (``round:<id>``), the server seed's hash is its seed pair's (the pair's store, and the
  ledger's chain on the pair's first nonce claim: ``NonceUsed.server_seed_hash``), and the
  fingerprint is :func:`request_fingerprint` of the game and the choices, stored only when
  the request was not its choices (a roulette bet's numbers, filled in by the game). Its
  top-level keys are short (nobody outside reads this record as JSON: clients see the
  player's notices), each field's in the class below: ``p`` player_id, ``g`` game_id,
  ``gv`` game_version, ``c`` currency, ``s`` stake, ``ch`` choices, ``rf``
  request_fingerprint, ``f`` fairness (its own keys spelled out), ``o`` outcome, ``w`` win,
  ``jc`` jackpot_contribution, ``b`` balance_after, ``jw`` jackpot_win.

A version-2 record is about half the size of version 1's; readers fill what it leaves out
(:attr:`RoundPlayed.fingerprint`, recall's ``server_seed_hash``). A record with the long
keys is version 1 (or a version-2 record written before the keys were short, by no
release).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from croupier.domain.events.base import Record, address, data, filled, optional
from croupier.domain.events.streams import round_stream

__all__ = [
    "RecordedFairness",
    "RoundAction",
    "RoundPlayed",
    "RoundSettled",
    "RoundStarted",
    "request_fingerprint",
]


def request_fingerprint(game_id: str, request: Any) -> str:
    """What tells a replayed request from another one under the same Idempotency-Key: the
    SHA-256 of ``[game_id, request]`` as JSON with sorted keys.

    >>> request_fingerprint("lotus-20", {"stake": 100})[:16]
    'fee1e996827a2df9'
    """
    return hashlib.sha256(json.dumps([game_id, request], sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedFairness:
    """What a round records of its fairness inputs: the server seed only as its hash, which
    a version-2 ``round.played`` leaves out (it is its pair's: see the module's docstring)."""

    pair_id: int
    server_seed_hash: str | None = optional()
    client_seed: str
    nonce: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundPlayed(Record):
    """An instant round, whole: its bet, fairness, outcome and what it paid.

    The ledger fills in ``balance_after`` (the player's available cash once the round's group
    is applied) and, on a jackpot hit, ``jackpot_win`` (what the pool paid). What version 2
    leaves out (see the module's docstring) is ``None`` here: build records with
    :meth:`compact`."""

    TYPE: ClassVar[str] = "round.played"
    FAMILY: ClassVar[str] = "round"

    round_id: str = address()
    player_id: str = data("p")
    game_id: str = data("g")
    game_version: int = data("gv")
    currency: str = data("c")
    stake: int = data("s")  # minor units, as every amount here
    choices: Any = data("ch")  # the bet as the game parsed it: JSON, shown back in recall
    request_fingerprint: str | None = optional("rf")  # None: derived from the choices
    fairness: RecordedFairness = data("f")
    outcome: Mapping[str, Any] = data("o")
    win: int = data("w")
    jackpot_contribution: int = data("jc")
    balance_after: int | None = filled("b")
    jackpot_win: int | None = filled("jw")

    @property
    def stream(self) -> str:
        return round_stream(self.round_id)

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the request that played the round, stored or derived."""
        if self.request_fingerprint is not None:
            return self.request_fingerprint
        return request_fingerprint(self.game_id, self.choices)

    def compact(self) -> RoundPlayed:
        """The version-2 record: without what can be derived again."""
        fingerprint = self.request_fingerprint
        if fingerprint == request_fingerprint(self.game_id, self.choices):
            fingerprint = None
        return replace(
            self,
            request_fingerprint=fingerprint,
            fairness=replace(self.fairness, server_seed_hash=None),
        )


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

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the request that dealt the round."""
        return self.request_fingerprint


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
