"""Table rounds on the ledger (:class:`~croupier.domain.games.base.TableGame`: blackjack): a
round the player plays with actions, over several requests. Nothing here knows a game's rules:
the kind deals, acts, settles and describes; this module writes and recomputes.

The stream ``round:<id>`` holds ``round.started`` (with the stake reserved), one
``round.action`` per decision (with any extra stake — double, split, insurance — reserved in
the same linked group) and finally ``round.settled`` (every reservation posted and the return
paid, in one linked group): the typed records ``RoundStarted``, ``RoundAction`` and
``RoundSettled`` of :mod:`croupier.domain.events`, read back as a ``RecordedRound``.

What is hidden (a shoe, a hole card) is never written anywhere: events are an outbox relayed
to subscribers. The round's state is recomputed on every read from the recorded rules, the
recorded provably-fair seeds (``TableGame.deal``) and the recorded actions, in order.

Each ``round.action`` is appended with ``expected_seq`` set to the seq that was read, so two
concurrent actions cannot both apply (the loser gets ``StreamConflict``, HTTP 409). An action's
``Idempotency-Key`` is recorded in its event: the same key again returns the current view.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from croupier.domain.accounts.player import Player, cash_account_id
from croupier.domain.errors import IllegalAction, InvariantBroken
from croupier.domain.events import (
    RecordedRound,
    RoundAction,
    RoundSettled,
    RoundStarted,
    encode,
    read_round,
    round_stream,
)
from croupier.domain.games.base import Bet, TableGame
from croupier.domain.ledger import Command, TransferKind, TransferRequest
from croupier.domain.ledger.events import StreamConflict
from croupier.domain.rng import RngSource
from croupier.services.fairness.ports import RoundFairness, StoredPair
from croupier.services.jackpots import house_account
from croupier.services.ledger import LedgerClient
from croupier.services.ledger.bets import reserve_stake, settle_bet
from croupier.services.rounds.notices import settled_fills, settled_notice, started_notice
from croupier.services.rounds.opening import RoundOpening

__all__ = ["EVENTS_MAX", "TableRounds"]

#: More events than any round can hold (4 split hands, each hit to 21 at most, plus insurance).
EVENTS_MAX = 500

_log = logging.getLogger("croupier.rounds")

#: A pair's server seed by pair id, revealed or not (for recomputing a round).
ServerSeed = Callable[[int], Awaitable[str]]
#: (server seed, client seed, nonce) -> the round's croupier-pf-1 source.
ReplaySource = Callable[[str, str, int], RngSource]
PairRevealed = Callable[[int], Awaitable[bool]]
#: The table's own actions on an idle round: ``~`` is in no player's Idempotency-Key.
_TABLE_KEY_PREFIX = "~auto-stand-"


class TableRounds:
    """The rounds of every table game: dealing, actions, settlement, recall."""

    def __init__(
        self,
        ledger: LedgerClient,
        tables: Mapping[str, TableGame[Any]],
        *,
        server_seed: ServerSeed,
        replay_source: ReplaySource,
        pair_revealed: PairRevealed,
    ) -> None:
        self.ledger = ledger
        self.tables = dict(tables)
        self._server_seed = server_seed
        self._replay_source = replay_source
        self._pair_revealed = pair_revealed

    def _kind(self, start: RoundStarted) -> TableGame[Any]:
        table = self.tables.get(start.game_id)
        if table is None:
            raise InvariantBroken(f"round {start.round_id}: {start.game_id} is no table here")
        return table

    # -- opening (the round service's RoundsOfKind) ---------------------------------------
    def parse_bet(self, game_id: str, request: Mapping[str, Any], currency: str) -> Bet:
        return self.tables[game_id].parse_bet(request, currency)

    def version_of(self, game_id: str) -> int:
        return self.tables[game_id].version

    async def prepare(self, player: Player, game_id: str) -> int:
        """The balance before the deal, which the deal records."""
        return (await self.ledger.latest_balance(player.cash_account_id)).available

    def write(
        self, player: Player, opening: RoundOpening, fair: RoundFairness, prepared: int
    ) -> list[Command]:
        """The deal's one write after the nonce's claim: the started notice (before a
        settlement's), the stake reserved and ``round.started``, and the settlement when the
        deal decides the round (a blackjack, a dealer's peek)."""
        table = self.tables[opening.game_id]
        dealt = opening.dealt(fair, prepared, table.recorded_rules())
        return [started_notice(player.player_id, dealt.round_id), *self.deal(dealt, fair.source)]

    async def resume(self, round_id: str) -> bool:
        """A replayed request: settle a round whose last action was cut off."""
        return await self.complete(round_id)

    async def recover(self, round_id: str, game_id: str) -> int:
        """At start: settle the round if its last action decided it (an open round is left
        for its player; the idle sweep ends it)."""
        return int(await self.complete(round_id))

    # -- recomputing ---------------------------------------------------------------------
    async def recorded(self, round_id: str) -> RecordedRound | None:
        """The round's stream, decoded (``None`` if it has none)."""
        events = await self.ledger.stream_events(round_stream(round_id), limit=EVENTS_MAX)
        return read_round(events) if events else None

    def state_of(self, recorded: RecordedRound, server_seed: str) -> Any:
        """The round's state from its rules, its seeds and its recorded actions, in order."""
        start = _dealt(recorded)
        if start.rules is None:
            raise InvariantBroken(f"round {start.round_id} recorded no table rules")
        table = self._kind(start)
        fairness = start.fairness
        source = self._replay_source(server_seed, fairness.client_seed, fairness.nonce)
        state = table.deal(start.rules, start.stake, source)
        for action in recorded.actions:
            state = table.act(state, action.action)
        return state

    async def _state(self, recorded: RecordedRound) -> Any:
        seed = await self._server_seed(recorded.start.fairness.pair_id)
        return self.state_of(recorded, seed)

    # -- playing -------------------------------------------------------------------------
    async def complete(self, round_id: str) -> bool:
        """Settle the round if its state is decided and it is not settled yet; True if so.

        Used after the deal, after each action and by recovery (a crash between the final
        action and its settlement); an undecided round is left for the player.
        """
        recorded = await self.recorded(round_id)
        if recorded is None or recorded.settled is not None:
            return False
        state = await self._state(recorded)
        start = _dealt(recorded)
        table = self._kind(start)
        if not table.is_settled(state):
            return False
        await self.ledger.submit(_settlement(table, start, recorded.extra_reservations(), state))
        return True

    def deal(self, started: RoundStarted, source: RngSource) -> list[Command]:
        """The deal's commands: the stake reserved and ``round.started`` — and, when the
        deal decides the round (a blackjack, a dealer's peek), its settlement too: one write."""
        table = self._kind(started)
        group: list[Command] = [
            reserve_stake(
                started.round_id,
                player_account=cash_account_id(started.player_id),
                house_account=house_account(started.currency),
                stake_minor=started.stake,
                currency=started.currency,
            ),
            encode(started),
        ]
        if started.rules is None:
            raise InvariantBroken(f"round {started.round_id}: a deal records its rules")
        state = table.deal(started.rules, started.stake, source)
        if table.is_settled(state):
            group += _settlement(table, started, [], state)
        return group

    async def act(self, round_id: str, player_id: str, key: str, action: str) -> None:
        """Apply one action (refused with ``IllegalAction`` and nothing changed if illegal)."""
        recorded = await self.recorded(round_id)
        if recorded is None:
            raise IllegalAction("this round takes no actions")
        if any(acted.key == key for acted in recorded.actions):
            return  # a replay: the caller returns the current view
        start = _dealt(recorded)
        table = self._kind(start)
        state = await self._state(recorded)
        if table.is_settled(state):
            await self.complete(round_id)  # in case a crash came between decision and payment
            raise IllegalAction("this round is over")
        by_table = key.startswith(_TABLE_KEY_PREFIX)
        if not by_table and await self._pair_revealed(start.fairness.pair_id):
            # Its seed pair was rotated while the deal was in flight: the player can compute
            # the hole card and the shoe, so no decision of theirs may count. The table
            # stands the round when it is idle.
            raise IllegalAction("this round's seed pair was revealed: it can no longer be played")
        after = table.act(state, action)  # raises IllegalAction, nothing written
        extra = table.stake_minor(after) - table.stake_minor(state)
        seq = recorded.last_seq  # a reservation id no other action can take
        reservation = f"{round_id}:stake-{seq}" if extra else None
        group: list[Command] = []
        if reservation is not None:
            group.append(
                TransferRequest.create(
                    reservation,
                    kind=TransferKind.PENDING,
                    debit_account_id=cash_account_id(player_id),
                    credit_account_id=house_account(start.currency),
                    amount_minor=extra,
                    currency=start.currency,
                    reason="stake",
                )
            )
        acted = RoundAction(
            round_id=round_id,
            action=action,
            key=key,
            extra_stake=extra,
            reservation=reservation,
        )
        group.append(encode(acted, expected_seq=seq))
        if table.is_settled(after):  # the action decides the round: settled in the same write
            reserved = recorded.extra_reservations() + ([reservation] if reservation else [])
            group += _settlement(table, start, reserved, after)
        try:
            replayed = (await self.ledger.submit(group)).replayed
        except StreamConflict:
            replayed = True
        if replayed and not await self._acted(round_id, key):
            raise StreamConflict("another action on this round was applied first")
        # Replayed with this key recorded: this very group was applied and its answer lost
        # (a gateway's retry across a writer failover): the action counts, once.

    async def _acted(self, round_id: str, key: str) -> bool:
        recorded = await self.recorded(round_id)
        return recorded is not None and any(acted.key == key for acted in recorded.actions)

    async def stand_if_idle(self, round_id: str, *, now_ms: int, idle_ms: int) -> bool:
        """Finish a round its player left for ``idle_ms`` with the table's own actions
        (blackjack: decline insurance, stand every hand).

        The actions are recorded like a player's (key ``~auto-stand-<seq>``, which no
        player's key can equal), so recall shows them and a player acting at the same moment
        gets a clean 409, never a double action.
        """
        recorded = await self.recorded(round_id)
        if recorded is None or recorded.settled is not None:
            return False
        if now_ms - recorded.last_at_ms < idle_ms:
            return False
        table = self._kind(_dealt(recorded))
        state = await self._state(recorded)
        while not table.is_settled(state):
            action = table.idle_action(state)
            acted = recorded.last_seq
            key = f"{_TABLE_KEY_PREFIX}{acted}"
            await self.act(round_id, recorded.start.player_id, key, action)
            again = await self.recorded(round_id)
            if again is None or again.last_seq == acted:  # nothing was recorded: never loop
                _log.error("round %s: the table's %s changed nothing", round_id, action)
                return False
            recorded = again
            state = await self._state(recorded)
        return True

    # -- recall --------------------------------------------------------------------------
    async def fill_view(
        self, body: dict[str, Any], recorded: RecordedRound, pair: StoredPair | None
    ) -> dict[str, Any]:
        """Complete a round view (built from ``round.started``) with the table's state,
        recomputed with the pair's server seed (never shown while the round is open); ``pair``
        is ``None`` for a round just dealt, whose seed is read here."""
        if pair is not None:
            server_seed = pair.pair.server_seed
        else:
            server_seed = await self._server_seed(recorded.start.fairness.pair_id)
        table = self._kind(_dealt(recorded))
        state = self.state_of(recorded, server_seed)
        actions = [action.action for action in recorded.actions]
        body["choices"] = {"stake": recorded.start.stake, "actions": actions}
        body["stake"] = table.stake_minor(state)
        body["outcome"] = table.describe(state)
        settled = recorded.settled
        if settled is not None:
            body.update(
                status="settled",
                win=settled.win,
                outcome=settled.outcome,
                jackpot_contribution=0,
                balance_after=settled.balance_after,
                ended_at_ms=recorded.ended_at_ms,
            )
        return body


def _dealt(recorded: RecordedRound) -> RoundStarted:
    """The deal that opened a table round."""
    start = recorded.start
    if not isinstance(start, RoundStarted):
        raise InvariantBroken(f"round {recorded.round_id} is no table round")
    return start


def _settlement(
    table: TableGame[Any], start: RoundStarted, extra_ids: list[str], state: Any
) -> list[Command]:
    """Post every reservation of a decided round, pay its return and record it."""
    round_id, currency = start.round_id, start.currency
    win = table.return_minor(state)
    settled = RoundSettled(
        round_id=round_id, outcome=table.describe(state), win=win, jackpot_contribution=0
    )
    return [
        *settle_bet(
            round_id,
            player_account=cash_account_id(start.player_id),
            house_account=house_account(currency),
            jackpot_account=None,
            currency=currency,
            win_minor=win,
        ),
        *[
            TransferRequest.create(
                f"{pending_id}:post", kind=TransferKind.POST, pending_id=pending_id, reason="stake"
            )
            for pending_id in extra_ids
        ],
        encode(settled, **settled_fills(start, jackpot_hit=False)),
        settled_notice(start, stake=table.stake_minor(state), win=win),
    ]
