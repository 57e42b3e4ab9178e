"""Hypothesis: random play at a live cash table on a real (SQLite) ledger. Two to four
players buy in, act at random among their legal choices (or let the clock run out), top
up, sit out and leave between hands. After every hand, and at the end: chips are conserved
(wallets + escrow + house never change in total), the escrow equals the table's stacks plus
its bets and pots, and ``ledger verify`` (with its escrow check) passes; a new owner rebuilt
from the stream shows the same table to everyone."""

from __future__ import annotations

import asyncio
import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st

from croupier.domain.accounts.player import cash_account_id
from croupier.domain.ledger import AccountKind
from croupier.services.ledger import Ledger, verify_ledger
from croupier.services.poker import CashTable, MemorySealer, escrow_account
from tests.support.ledger import CLEARING, HOUSE, FakeClock, open_test_ledger
from tests.support.poker_tables import TABLE, open_tables

DEPOSIT = 30_000
ESCROW = escrow_account(TABLE, "EUR")


async def _balances(ledger: Ledger, players: list[str]) -> tuple[int, int, int]:
    cash = sum([(await ledger.balance(cash_account_id(p)))[1].posted for p in players])
    escrow = (await ledger.balance(ESCROW))[1].posted
    house = (await ledger.balance(HOUSE))[1].posted
    return cash, escrow, house


async def _decide(table: CashTable, clock: FakeClock, choice: int) -> None:
    hand = table.model.hand
    assert hand is not None and hand.to_act is not None
    seat = hand.to_act
    player = table.model.players[seat]
    legal = hand.legal_actions()
    assert legal is not None
    options: list[tuple[str, int | None]] = [("call" if legal.call_minor else "check", None)]
    if legal.can_fold:
        options.append(("fold", None))
    if legal.min_raise_to_minor is not None and legal.max_raise_to_minor is not None:
        low, high = legal.min_raise_to_minor, legal.max_raise_to_minor
        options.append(("raise", low + (choice * 37) % (high - low + 1)))
        options.append(("raise", high))
    if choice % 11 == 10:  # nobody acts: the clock runs out
        deadline = table.deadline_ms()
        assert deadline is not None
        clock.now_ms = deadline
        assert await table.tick()
        return
    action, amount = options[choice % len(options)]
    await table.act(player, action, amount)


async def _between_hands(table: CashTable, players: list[str], choice: int) -> None:
    """Now and then a player sits out, comes back, tops up or leaves (and rejoins)."""
    player = players[choice % len(players)]
    seat = table.model.seat_of(player)
    roll = choice % 7
    if seat is None:
        if roll < 3:
            await table.join(player, 4_000 + 100 * (choice % 50))
        return
    if roll == 0:
        await table.leave(player)
    elif roll == 1:
        await table.sit_out(player, not table.model.table.seats[seat].sitting_out)
    elif roll == 2:
        info = table.model.info
        stack = table.model.table.seats[seat].stack_minor
        if (info is None or seat not in info.seats) and stack < 10_000:
            await table.top_up(player, 10_000 - stack)  # up to the maximum buy-in


async def _play(player_count: int, buy_ins: list[int], choices: list[int]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        clock = FakeClock()
        ledger = await open_test_ledger(f"sqlite:///{folder}/ledger.db", clock)
        try:
            await ledger.open_account(
                HOUSE, AccountKind.HOUSE_BANKROLL, "EUR", floor_minor=-(10**12)
            )
            await ledger.open_account(
                CLEARING, AccountKind.PAYMENT_CLEARING, "EUR", floor_minor=None
            )
            players = [f"p{n}" for n in range(player_count)]
            for player in players:
                await ledger.open_account(cash_account_id(player), AccountKind.PLAYER_CASH, "EUR")
                await ledger.transfer(
                    f"deposit:{player}", debit_account_id=CLEARING,
                    credit_account_id=cash_account_id(player), amount_minor=DEPOSIT, currency="EUR",
                )  # fmt: skip
            sealer = MemorySealer()
            directory = await open_tables(ledger, sealer, clock)
            table = directory.get(TABLE)
            for player, buy_in in zip(players, buy_ins, strict=False):
                await table.join(player, buy_in)
            total = sum(await _balances(ledger, players))
            hands_seen = table.model.hand_number
            for choice in choices:
                if table.model.hand is not None and table.model.hand.to_act is not None:
                    await _decide(table, clock, choice)
                else:
                    await _between_hands(table, players, choice)
                if table.model.hand_number != hands_seen or table.model.info is None:
                    hands_seen = table.model.hand_number
                    cash, escrow, house = await _balances(ledger, players)
                    assert cash + escrow + house == total  # chips conserved
                    stacks, pots = table.model.chips()
                    assert escrow == sum(stacks) + sum(pots)
            report = await verify_ledger(ledger.store)
            assert report.ok, report.problems
            await directory.close()
            # a new owner rebuilds the same table from the stream (finished hands skipped)
            again = await open_tables(ledger, sealer, clock)
            rebuilt = again.get(TABLE)
            assert rebuilt.model.head == table.model.head  # it had nothing left to do
            for viewer in (None, *players):
                assert rebuilt.view(viewer) == table.view(viewer)
            await again.close()
        finally:
            await ledger.close()


@settings(max_examples=40)
@given(
    player_count=st.integers(2, 4),
    buy_ins=st.lists(st.integers(4_000, 10_000), min_size=4, max_size=4),
    choices=st.lists(st.integers(0, 10_000), min_size=5, max_size=60),
)
def test_random_play_conserves_chips_and_keeps_escrow_equal_to_the_table(
    player_count: int, buy_ins: list[int], choices: list[int]
) -> None:
    asyncio.run(_play(player_count, buy_ins, choices))
