"""Blackjack rounds on the ledger: a round the player plays with actions, over several requests.

The stream ``round:<id>`` holds ``round.started`` (with the stake reserved), one
``round.action`` per decision (with any extra stake — double, split, insurance — reserved in
the same linked group) and finally ``round.settled`` (every reservation posted and the return
paid, in one linked group): the typed records ``RoundStarted``, ``RoundAction`` and
``RoundSettled`` of :mod:`croupier.domain.events`, read back as a ``RecordedRound``.

The shoe and the hole card are never written anywhere: events are an outbox relayed to
subscribers. The round's state is recomputed on every read from the recorded provably-fair
seeds (``start_round``) and the recorded actions, in order.

Each ``round.action`` is appended with ``expected_seq`` set to the seq that was read, so two
concurrent actions cannot both apply (the loser gets ``StreamConflict``, HTTP 409). An action's
``Idempotency-Key`` is recorded in its event: the same key again returns the current view.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from croupier.domain.accounts.player import cash_account_id
from croupier.domain.errors import CurrencyNotOffered, IllegalAction, InvalidBet, InvariantBroken
from croupier.domain.events import (
    RecordedRound,
    RoundAction,
    RoundSettled,
    RoundStarted,
    encode,
    read_round,
    round_stream,
)
from croupier.domain.games.blackjack import (
    Action,
    BlackjackRules,
    HandStatus,
    Phase,
    RoundState,
    apply_action,
    legal_actions,
    parse_rules,
    start_round,
)
from croupier.domain.ledger import Command, TransferKind, TransferRequest
from croupier.domain.ledger.events import StreamConflict
from croupier.domain.rng import RngSource
from croupier.services.jackpots import house_account
from croupier.services.ledger import LedgerClient
from croupier.services.ledger.bets import reserve_stake, settle_bet
from croupier.services.rounds.notices import settled_fills, settled_notice

__all__ = ["EVENTS_MAX", "BlackjackRounds", "load_tables"]

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


def load_tables(definitions: Mapping[str, Mapping[str, Any]]) -> dict[str, BlackjackRules]:
    """The blackjack tables among game definitions (``kind = "blackjack"``), by game id."""
    return {
        game_id: parse_rules(data)
        for game_id, data in definitions.items()
        if data.get("kind") == "blackjack"
    }


class BlackjackRounds:
    """The blackjack part of the round service (dealing, actions, settlement, recall)."""

    def __init__(
        self,
        ledger: LedgerClient,
        tables: Mapping[str, BlackjackRules],
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

    def is_table(self, game_id: str) -> bool:
        """Whether ``game_id`` is a blackjack table played here."""
        return game_id in self.tables

    def validate(
        self, game_id: str, request: Mapping[str, Any], currency: str
    ) -> tuple[int, dict[str, Any]]:
        """Check the stake against the table's limits before anything moves."""
        rules = self.tables[game_id]
        stake = request.get("stake")
        if set(request) - {"stake"}:
            raise InvalidBet("blackjack takes only a stake")
        if currency != rules.currency:  # its limits are in that currency's minor units
            raise CurrencyNotOffered(f"this table plays in {rules.currency}, not {currency}")
        if isinstance(stake, bool) or not isinstance(stake, int):
            raise InvalidBet("blackjack needs a stake in minor units")
        if not rules.stake_min_minor <= stake <= rules.stake_max_minor:
            raise InvalidBet(
                f"the stake must be {rules.stake_min_minor} to {rules.stake_max_minor} minor units"
            )
        return stake, {"stake": stake}

    def rules_of(self, game_id: str) -> dict[str, Any]:
        """The table's rules as ``round.started`` records them, so recomputation never
        depends on a game file that may change later."""
        return self.tables[game_id].to_data()

    # -- recomputing ---------------------------------------------------------------------
    async def recorded(self, round_id: str) -> RecordedRound | None:
        """The round's stream, decoded (``None`` if it has none)."""
        events = await self.ledger.stream_events(round_stream(round_id), limit=EVENTS_MAX)
        return read_round(events) if events else None

    def state_of(self, recorded: RecordedRound, server_seed: str) -> RoundState:
        """The round's state from its seeds and its recorded actions, in order."""
        start = _dealt(recorded)
        if start.rules is None:
            raise InvariantBroken(f"round {start.round_id} recorded no table rules")
        fairness = start.fairness
        source = self._replay_source(server_seed, fairness.client_seed, fairness.nonce)
        state = start_round(parse_rules(start.rules), start.stake, source).state
        for action in recorded.actions:
            state = apply_action(state, Action(action.action)).state
        return state

    async def _state(self, recorded: RecordedRound) -> RoundState:
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
        if not state.is_settled:
            return False
        start = _dealt(recorded)
        await self.ledger.submit(_settlement(start, recorded.extra_reservations(), state))
        return True

    def deal(self, started: RoundStarted, source: RngSource) -> list[Command]:
        """The deal's commands: the stake reserved and ``round.started`` — and, when the
        deal decides the round (a blackjack, a dealer's peek), its settlement too: one write."""
        rules = self.tables[started.game_id]
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
        state = start_round(rules, started.stake, source).state
        if state.is_settled:
            group += _settlement(started, [], state)
        return group

    async def act(self, round_id: str, player_id: str, key: str, action_name: str) -> None:
        """Apply one action (refused with ``IllegalAction`` and nothing changed if illegal)."""
        recorded = await self.recorded(round_id)
        if recorded is None:
            raise IllegalAction("this round takes no actions")
        if any(action.key == key for action in recorded.actions):
            return  # a replay: the caller returns the current view
        try:
            action = Action(action_name)
        except ValueError:
            raise IllegalAction(f"no blackjack action {action_name!r}") from None
        start = _dealt(recorded)
        state = await self._state(recorded)
        if state.is_settled:
            await self.complete(round_id)  # in case a crash came between decision and payment
            raise IllegalAction("this round is over")
        by_table = key.startswith(_TABLE_KEY_PREFIX)
        if not by_table and await self._pair_revealed(start.fairness.pair_id):
            # Its seed pair was rotated while the deal was in flight: the player can compute
            # the hole card and the shoe, so no decision of theirs may count. The table
            # stands the round when it is idle.
            raise IllegalAction("this round's seed pair was revealed: it can no longer be played")
        after = apply_action(state, action).state  # raises IllegalAction, nothing written
        extra = after.total_stake_minor - state.total_stake_minor
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
            action=action.value,
            key=key,
            extra_stake=extra,
            reservation=reservation,
        )
        group.append(encode(acted, expected_seq=seq))
        if after.is_settled:  # the action decides the round: it settles in the same write
            reserved = recorded.extra_reservations() + ([reservation] if reservation else [])
            group += _settlement(start, reserved, after)
        applied = await self.ledger.submit(group)
        if applied.replayed:  # another action reserved under this seq first
            raise StreamConflict("another action on this round was applied first")

    async def stand_if_idle(self, round_id: str, *, now_ms: int, idle_ms: int) -> bool:
        """Finish a round its player left for ``idle_ms``: decline insurance, stand every hand.

        The actions are recorded like a player's (key ``~auto-stand-<seq>``, which no
        player's key can equal), so recall shows them and a player acting at the same moment
        gets a clean 409, never a double action.
        """
        recorded = await self.recorded(round_id)
        if recorded is None or recorded.settled is not None:
            return False
        if now_ms - recorded.last_at_ms < idle_ms:
            return False
        state = await self._state(recorded)
        while not state.is_settled:
            action = (
                Action.DECLINE_INSURANCE
                if Action.DECLINE_INSURANCE in legal_actions(state)
                else Action.STAND
            )
            acted = recorded.last_seq
            key = f"{_TABLE_KEY_PREFIX}{acted}"
            await self.act(round_id, recorded.start.player_id, key, action.value)
            again = await self.recorded(round_id)
            if again is None or again.last_seq == acted:  # nothing was recorded: never loop
                _log.error("round %s: the table's %s changed nothing", round_id, action.value)
                return False
            recorded = again
            state = await self._state(recorded)
        return True

    # -- recall --------------------------------------------------------------------------
    def fill_view(
        self, body: dict[str, Any], recorded: RecordedRound, server_seed: str
    ) -> dict[str, Any]:
        """Complete a round view (built from ``round.started``) with the blackjack state,
        recomputed with the pair's ``server_seed`` (never shown while the round is open)."""
        state = self.state_of(recorded, server_seed)
        actions = [action.action for action in recorded.actions]
        body["choices"] = {"stake": recorded.start.stake, "actions": actions}
        body["stake"] = state.total_stake_minor
        body["outcome"] = _visible(state)
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
    """The deal that opened a blackjack round."""
    start = recorded.start
    if not isinstance(start, RoundStarted):
        raise InvariantBroken(f"round {recorded.round_id} is no blackjack round")
    return start


def _settlement(start: RoundStarted, extra_ids: list[str], state: RoundState) -> list[Command]:
    """Post every reservation of a decided round, pay its return and record it."""
    round_id, currency = start.round_id, start.currency
    win = state.total_return_minor
    settled = RoundSettled(
        round_id=round_id, outcome=_visible(state), win=win, jackpot_contribution=0
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
        settled_notice(start, stake=state.total_stake_minor, win=win),
    ]


def _visible(state: RoundState) -> dict[str, Any]:
    """What the player may see: never the shoe, and the hole card only once settled."""
    hands = [
        {
            "cards": list(hand.cards),
            "total": hand.total,
            "stake": hand.stake_minor,
            "status": hand.status.value,
            "doubled": hand.doubled,
            "from_split": hand.from_split,
            "blackjack": hand.is_blackjack,
        }
        for hand in state.hands
    ]
    open_round = not state.is_settled
    outcome: dict[str, Any] = {
        "phase": state.phase.value,
        "hands": hands,
        "active_hand": state.active_hand_index if state.phase is Phase.PLAYER else None,
        "insurance_offered": state.phase is Phase.INSURANCE,
        "insurance_stake": state.insurance_stake_minor,
        "legal_actions": [action.value for action in legal_actions(state)],
    }
    if open_round:
        outcome["dealer"] = {"up_card": state.dealer_upcard, "cards": [state.dealer_upcard]}
        return outcome
    settlement = state.settlement
    assert settlement is not None  # a settled state always carries its settlement
    outcome["dealer"] = {
        "up_card": state.dealer_upcard,
        "cards": list(state.dealer_cards),
        "total": settlement.dealer_total,
        "blackjack": settlement.dealer_blackjack,
    }
    outcome["hand_returns"] = list(settlement.hand_returns_minor)
    outcome["insurance_return"] = settlement.insurance_return_minor
    outcome["surrendered"] = any(h.status is HandStatus.SURRENDERED for h in state.hands)
    return outcome
