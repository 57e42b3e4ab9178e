"""``CashTable``: one live cash table, an actor with one owner at a time.

Every change goes through one lock (one command at a time, in order) and is one linked
group on the ledger: the money it moves (buy-in wallet → escrow, cash-out escrow → wallet,
rake escrow → house) and one event appended to ``table:<id>`` with ``expected_seq`` = the
head the table holds. So a second owner, or a stale one, gets ``StreamConflict`` and
changes nothing. Only after the commit does the table fold the event into its
:class:`~croupier.services.poker.model.TableModel`, exactly as a rebuild after a crash does.

Each event states ``escrow_minor``, the escrow balance its commit leaves, computed from the
money moved; after folding, the table checks that its own chips (stacks + bets + pots)
equal it (``cash_rules.check_escrow``), and ``croupier ledger verify`` checks the ledger's
balance against it.

A hand: ``hand.started`` (the commitment ``server_seed_hash``, the sealed seed, the public
deal: blinds, antes), the hole cards to each player's own stream ``player:<id>`` in the same
group, then ``hand.acted`` per decision (the player's, or the table's on a timeout), then
``hand.ended`` (the rake to the house, the server seed revealed). Hole cards never appear on
the table's stream.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any, Self

from croupier.domain.accounts.player import cash_account_id
from croupier.domain.errors import CroupierError, IllegalAction, InvariantBroken, StateConflict
from croupier.domain.events.streams import player_stream
from croupier.domain.fairness import ProvablyFairSource, server_seed_hash
from croupier.domain.games.holdem import Hand, PlayerAction, Table
from croupier.domain.ledger import (
    Account,
    AccountKind,
    AppendEvent,
    Command,
    CreateAccount,
    TransferRequest,
)
from croupier.domain.ledger.events import StreamConflict
from croupier.domain.poker import cash_rules
from croupier.domain.poker.live_errors import (
    AlreadySeated,
    BuyInOutOfRange,
    NotSeated,
    NotYourTurn,
    SeatTaken,
)
from croupier.domain.poker.live_events import public_events
from croupier.services.jackpots import house_account
from croupier.services.ledger import LedgerClient
from croupier.services.poker.decisions import check_or_fold, hole_cards, player_action, showed
from croupier.services.poker.model import TableModel
from croupier.services.poker.seeds import SeedSealer, new_server_seed
from croupier.services.poker.settings import PokerSettings
from croupier.services.poker.stream import fold_stream, table_stream
from croupier.services.poker.views import public_view

__all__ = ["CashTable", "table_stream"]

#: Commands a table runs after one (hand end, leavers paid, waiters seated, next deal):
#: more than any table can need; reaching it is a bug, not a busy table.
_FOLLOW_UPS_MAX = 200
_log = logging.getLogger("croupier.poker")


class CashTable:
    """One table: seats, escrow and hands, serialised by one lock."""

    def __init__(
        self,
        model: TableModel,
        *,
        ledger: LedgerClient,
        sealer: SeedSealer,
        settings: PokerSettings,
        clock_ms: Callable[[], int],
        new_seed: Callable[[], str] = new_server_seed,
        house_floor_minor: int = 0,
    ) -> None:
        """``house_floor_minor``: the house account's floor, as the rounds open it (the rake
        opens it too, idempotently, if no round has yet)."""
        self.model = model
        self._house_floor_minor = house_floor_minor
        self._ledger = ledger
        self._sealer = sealer
        self._settings = settings
        self._clock_ms = clock_ms
        self._new_seed = new_seed
        self._seed: str | None = None  # the current hand's server seed, while it runs
        self._lock = asyncio.Lock()
        #: Set whenever the table changes: the timer waits on it.
        self.changed = asyncio.Event()

    @property
    def table_id(self) -> str:
        return self.model.table_id

    @property
    def stream(self) -> str:
        return table_stream(self.model.table_id)

    # -- loading -----------------------------------------------------------------------------
    @classmethod
    async def load(
        cls,
        ledger: LedgerClient,
        table_id: str,
        sealer: SeedSealer,
        **options: Any,
    ) -> Self | None:
        """The table rebuilt from its stream (``None`` if it was never opened); a hand a
        crash interrupted resumes, or is cancelled and refunded if it cannot."""
        model = await fold_stream(ledger, table_id, sealer)
        if model is None:
            return None
        table = cls(model, ledger=ledger, sealer=sealer, **options)
        if model.escrow_account:  # a tournament table holds chips, not money: no escrow
            _, balance = await ledger.balance(model.escrow_account)
            claimed = model.chips_minor()
            cash_rules.check_escrow(balance.posted, [claimed], [])
        if model.info is not None and not model.unplayable:  # resumes with the same deck
            table._seed = await sealer.unseal(model.info.server_seed_sealed, model.info.hand_id)
        async with table._lock:
            await table._recover()
        return table

    async def _recover(self) -> None:
        if self.model.unplayable:
            await self._cancel_hand("the hand could not be rebuilt after a restart")
        await self._follow_up()

    # -- player commands ---------------------------------------------------------------------
    async def join(self, player_id: str, buy_in_minor: int, seat: int | None = None) -> None:
        """Sit down with ``buy_in_minor`` (wallet → escrow), or join the wait list when the
        table is full and no seat was asked for."""
        async with self._lock:
            model = self.model
            if model.seat_of(player_id) is not None or any(
                waiting == player_id for waiting, _ in model.waiting
            ):
                raise AlreadySeated("you already have a seat (or a place in line) at this table")
            try:
                cash_rules.verify_buy_in(model.config, buy_in_minor)
            except IllegalAction as error:
                raise BuyInOutOfRange(str(error)) from None
            free = [s for s in range(model.config.seat_count) if s not in model.players]
            if seat is not None:
                if not 0 <= seat < model.config.seat_count:
                    raise IllegalAction(f"seat {seat} is not a seat of this table")
                if seat not in free:
                    raise SeatTaken(f"seat {seat} is taken")
            elif not free:
                if len(model.waiting) >= self._settings.wait_list_max:
                    raise StateConflict("the table and its wait list are full")
                await self._commit(
                    "table.waiting", {"player_id": player_id, "buy_in_minor": buy_in_minor}
                )
                return
            await self._seat(player_id, buy_in_minor, seat if seat is not None else free[0])
            await self._follow_up()

    async def top_up(self, player_id: str, amount_minor: int) -> None:
        async with self._lock:
            seat = self._seat_of(player_id)
            stack = self.model.table.seats[seat].stack_minor
            in_hand = self.model.info is not None and seat in self.model.info.seats
            cash_rules.verify_top_up(self.model.config, stack, amount_minor, in_hand)
            seq = self.model.head + 1
            money = self._transfer(
                f"{seq}:top-up",
                cash_account_id(player_id),
                self.model.escrow_account,
                amount_minor,
                "poker-top-up",
            )
            await self._commit(
                "table.topped_up",
                {"seat": seat, "player_id": player_id, "amount_minor": amount_minor},
                [money],
                escrow_delta=amount_minor,
            )
            await self._follow_up()

    async def sit_out(self, player_id: str, sitting_out: bool = True) -> None:
        async with self._lock:
            seat = self._seat_of(player_id)
            await self._commit("table.sat_out", {"seat": seat, "sitting_out": sitting_out})
            await self._follow_up()

    async def leave(self, player_id: str) -> None:
        """Stand up: the stack goes back to the wallet now, or at the end of the hand the
        player is in (their turns are checked or folded for them meanwhile). A player on
        the wait list leaves the list."""
        async with self._lock:
            model = self.model
            if model.seat_of(player_id) is None and any(p == player_id for p, _ in model.waiting):
                await self._commit("table.wait_left", {"player_id": player_id, "reason": "left"})
                return
            seat = self._seat_of(player_id)
            if seat in model.leaving:
                return
            if model.info is not None and seat in model.info.seats:
                await self._commit("table.leaving", {"seat": seat})
            else:
                await self._pay_out(seat)
            await self._follow_up()

    async def act(self, player_id: str, action: str, amount_minor: int | None = None) -> None:
        """``fold``, ``check``, ``call``, ``bet`` or ``raise`` (``amount_minor``: the total
        bet on this street, "raise to")."""
        async with self._lock:
            seat = self._seat_of(player_id)
            hand = self._hand()
            if hand.to_act != seat:
                raise NotYourTurn(f"seat {hand.to_act} is to act, not seat {seat}")
            chosen = player_action(hand, seat, action, amount_minor)
            await self._record_action(chosen, by="player")
            await self._follow_up()

    async def tick(self) -> bool:
        """Act for a player whose time (and time bank) ran out: check if free, else fold.
        True if it did."""
        async with self._lock:
            deadline = self.deadline_ms()
            if deadline is None or self._clock_ms() < deadline:
                return False
            hand = self._hand()
            assert hand.to_act is not None
            await self._record_action(check_or_fold(hand, hand.to_act), by="timeout")
            await self._follow_up()
            return True

    def deadline_ms(self) -> int | None:
        """When the player to act runs out of time (their time bank included)."""
        hand = self.model.hand
        if hand is None or hand.to_act is None:
            return None
        bank = self.model.time_banks_ms.get(hand.to_act, 0)
        return self.model.turn_since_ms + self._settings.action_timeout_ms + bank

    def view(self, player_id: str | None = None) -> dict[str, Any]:
        return public_view(self.model, self.deadline_ms(), player_id)

    # -- the table's own steps ---------------------------------------------------------------
    async def _follow_up(self) -> None:
        """Whatever the table does on its own after a change, until nothing is left: act
        for players who left or sit out, end a finished hand, pay leavers, seat waiters,
        deal the next hand."""
        for _ in range(_FOLLOW_UPS_MAX):
            if not await self._next_step():
                self.changed.set()
                return
        raise InvariantBroken(f"table {self.table_id}: follow-ups never settle")

    async def _next_step(self) -> bool:
        model = self.model
        hand = model.hand
        if hand is not None and hand.is_complete:
            await self._end_hand(hand)
            return True
        if hand is not None:
            seat = hand.to_act
            if seat is not None and (seat in model.leaving or model.table.seats[seat].sitting_out):
                await self._record_action(check_or_fold(hand, seat), by="away")
                return True
            return False
        if model.info is not None:
            return False
        if model.leaving:
            await self._pay_out(min(model.leaving))
            return True
        free = [s for s in range(model.config.seat_count) if s not in model.players]
        if free and model.waiting:
            await self._seat_waiter(free[0])
            return True
        if len(model.eligible_seats()) >= 2:
            await self._deal()
            return True
        return False

    async def _seat(self, player_id: str, buy_in_minor: int, seat: int) -> None:
        seq = self.model.head + 1
        money = self._transfer(
            f"{seq}:buy-in",
            cash_account_id(player_id),
            self.model.escrow_account,
            buy_in_minor,
            "poker-buy-in",
        )
        data = {
            "seat": seat,
            "player_id": player_id,
            "buy_in_minor": buy_in_minor,
            "time_bank_ms": self._settings.time_bank_ms,
        }
        await self._commit("table.seated", data, [money], escrow_delta=buy_in_minor)

    async def _seat_waiter(self, seat: int) -> None:
        player_id, buy_in_minor = self.model.waiting[0]
        try:
            await self._seat(player_id, buy_in_minor, seat)
        except (StreamConflict, InvariantBroken):
            raise
        except CroupierError as error:  # the wallet no longer holds the buy-in
            _log.info("table %s: waiter %s not seated: %s", self.table_id, player_id, error)
            reason = f"not seated: {error.code}"
            await self._commit("table.wait_left", {"player_id": player_id, "reason": reason})

    async def _pay_out(self, seat: int) -> None:
        player_id = self.model.players[seat]
        stack = self.model.table.seats[seat].stack_minor
        seq = self.model.head + 1
        money = (
            [
                self._transfer(
                    f"{seq}:cash-out",
                    self.model.escrow_account,
                    cash_account_id(player_id),
                    stack,
                    "poker-cash-out",
                )
            ]
            if stack
            else []
        )
        data = {"seat": seat, "player_id": player_id, "stack_minor": stack}
        await self._commit("table.left", data, money, escrow_delta=-stack)

    async def _deal(self) -> None:
        model = self.model
        seq = model.head + 1
        number = model.hand_number + 1
        hand_id = f"{model.table_id}.{seq}"
        seed = self._new_seed()
        client_seed = f"{model.table_id}.{number}"[-64:]
        rehearsal = Table.from_dict(model.table.to_dict())  # deal on a copy: commit first
        hand = rehearsal.start_hand(ProvablyFairSource(seed, client_seed, 0))
        players = {str(s): model.players[s] for s in hand.seats}
        data = {
            "hand_id": hand_id,
            "hand_number": number,
            "button_seat": hand.button_seat,
            "seats": list(hand.seats),
            "stacks_minor": list(hand.starting_stacks_minor),
            "players": players,
            "server_seed_hash": server_seed_hash(seed),
            "client_seed": client_seed,
            "nonce": 0,
            "server_seed_sealed": self._sealer.seal(seed, hand_id),
            "events": public_events(hand.history),
            "to_act": hand.to_act,
            **self._hand_started_extra(),
        }
        private = [
            AppendEvent.create(
                player_stream(model.players[s]),
                "poker.hole_cards",
                {"table_id": model.table_id, "hand_id": hand_id, "seat": s, "cards": cards},
            )
            for s, cards in hole_cards(hand).items()
        ]
        await self._commit("hand.started", data, private, server_seed=seed)
        self._seed = seed

    async def _record_action(self, action: PlayerAction, *, by: str) -> None:
        model = self.model
        hand = self._hand()
        rehearsal = Hand.from_dict(hand.to_dict())
        before = len(rehearsal.history)
        rehearsal.apply(action)
        now = self._clock_ms()
        over_ms = max(0, now - model.turn_since_ms - self._settings.action_timeout_ms)
        bank = 0 if by == "timeout" else model.time_banks_ms.get(action.seat, 0) - over_ms
        data = {
            "hand_id": self._info_id(),
            **action.to_dict(),
            "by": by,
            "time_bank_ms": max(0, bank),
            "events": public_events(rehearsal.history[before:]),
            "to_act": rehearsal.to_act,
        }
        await self._commit("hand.acted", data)

    async def _end_hand(self, hand: Hand) -> None:
        result = hand.result
        assert result is not None
        model = self.model
        seq = model.head + 1
        rake = result.rake_minor
        house = house_account(model.currency)
        money: list[Command] = []
        if rake:  # the house opens with the rounds' floor, idempotently
            floor = self._house_floor_minor
            money = [
                CreateAccount(Account(house, AccountKind.HOUSE_BANKROLL, model.currency, floor)),
                self._transfer(f"{seq}:rake", model.escrow_account, house, rake, "poker-rake"),
            ]
        shown = {str(s): list(hand.hole_cards(s)) for s in hand.seats if showed(hand, s)}
        data = {
            "hand_id": self._info_id(),
            "rake_minor": rake,
            "stacks_minor": {str(s): result.final_stack_for(s) for s in result.seats},
            "net_minor": {str(s): result.net_for(s) for s in result.seats},
            "shown": shown,
            "server_seed": await self._revealed_seed(),
        }
        await self._commit("hand.ended", data, money, escrow_delta=-rake)
        self._seed = None

    async def _cancel_hand(self, reason: str) -> None:
        """Return every contribution of the hand in progress (the cancelled-hand rule):
        each dealt-in seat is back to its pre-hand stack; no money leaves the escrow."""
        info = self.model.info
        assert info is not None
        refunds = cash_rules.cancelled_hand_refunds(info.public)
        data = {
            "hand_id": info.hand_id,
            "reason": reason,
            "refunds_minor": {str(seat): amount for seat, amount in refunds.items()},
            "server_seed": self._seed,
        }
        await self._commit("hand.cancelled", data)
        self._seed = None

    # -- committing --------------------------------------------------------------------------
    async def _commit(
        self,
        kind: str,
        data: dict[str, Any],
        commands: Sequence[Command] = (),
        *,
        escrow_delta: int = 0,
        server_seed: str | None = None,
    ) -> None:
        """One linked group: ``commands`` and the event; then fold it and check the escrow."""
        model = self.model
        claimed = model.chips_minor() + escrow_delta
        data = {**data, "table_id": model.table_id, "at_ms": self._clock_ms()}
        if model.escrow_account:  # the claim `ledger verify` checks (none for chips)
            data |= {"escrow_account": model.escrow_account, "escrow_minor": claimed}
        event = AppendEvent.create(self.stream, kind, data, expected_seq=model.head)
        money = [c for c in commands if not isinstance(c, AppendEvent)]
        private = [c for c in commands if isinstance(c, AppendEvent)]
        try:
            await self._ledger.submit([*money, event, *private])
        except StreamConflict:
            await self._reload()
            raise
        model.apply(kind, data, server_seed)
        stacks, pots = model.chips()
        cash_rules.check_escrow(claimed, stacks, pots)

    async def _reload(self) -> None:
        """Another owner wrote (or a commit's answer was lost): take the stream's word."""
        model = await fold_stream(self._ledger, self.table_id, self._sealer)
        if model is not None:
            self.model = model

    def _transfer(
        self, suffix: str, debit: str, credit: str, amount_minor: int, reason: str
    ) -> TransferRequest:
        return TransferRequest.create(
            f"poker:{self.table_id}:{suffix}",
            debit_account_id=debit,
            credit_account_id=credit,
            amount_minor=amount_minor,
            currency=self.model.currency,
            reason=reason,
        )

    # -- helpers -----------------------------------------------------------------------------
    def _hand_started_extra(self) -> dict[str, Any]:
        """More for ``hand.started``: nothing at a cash table, whose rules never change."""
        return {}

    def _seat_of(self, player_id: str) -> int:
        seat = self.model.seat_of(player_id)
        if seat is None:
            raise NotSeated("you have no seat at this table")
        return seat

    def _hand(self) -> Hand:
        hand = self.model.hand
        if hand is None or hand.is_complete:
            raise IllegalAction("no hand is being played at this table")
        return hand

    def _info_id(self) -> str:
        info = self.model.info
        assert info is not None
        return info.hand_id

    async def _revealed_seed(self) -> str:
        if self._seed is not None:
            return self._seed
        info = self.model.info
        assert info is not None
        return await self._sealer.unseal(info.server_seed_sealed, info.hand_id)
