"""Helpers for ledger tests: open a writer on a URL with a controllable clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from croupier.bootstrap import make_store
from croupier.domain.ledger import AccountKind, TransferRequest
from croupier.services.ledger import Ledger, LedgerWriter, WriterLimits
from croupier.services.ledger.bets import reserve_stake, settle_bet

HOUSE = "house:EUR"
CLEARING = "clearing:EUR"
JACKPOT = "jackpot:EUR"


@dataclass
class FakeClock:
    now_ms: int = 1_800_000_000_000

    def __call__(self) -> int:
        return self.now_ms


async def open_test_ledger(
    url: str, clock: Callable[[], int] | None = None, limits: WriterLimits | None = None
) -> Ledger:
    store = make_store(url)
    await store.open(writer=True)
    writer = LedgerWriter(store, clock_ms=clock or FakeClock(), limits=limits)
    await writer.start()
    return Ledger(store, writer)


async def open_casino(ledger: Ledger, players: int = 0, deposit_minor: int = 0) -> None:
    """House, clearing and jackpot accounts in EUR, plus ``players`` funded player accounts."""
    await ledger.open_account(HOUSE, AccountKind.HOUSE_BANKROLL, "EUR", floor_minor=-(10**12))
    await ledger.open_account(CLEARING, AccountKind.PAYMENT_CLEARING, "EUR", floor_minor=None)
    await ledger.open_account(JACKPOT, AccountKind.JACKPOT_POOL, "EUR", floor_minor=0)
    for i in range(players):
        await ledger.open_account(f"player:{i}", AccountKind.PLAYER_CASH, "EUR")
        if deposit_minor:
            await ledger.transfer(
                f"deposit:{i}",
                debit_account_id=CLEARING,
                credit_account_id=f"player:{i}",
                amount_minor=deposit_minor,
                currency="EUR",
            )


def settlement(
    player: str, bet_id: str, contribution_minor: int, win_minor: int
) -> list[TransferRequest]:
    return settle_bet(
        bet_id,
        player_account=player,
        house_account=HOUSE,
        jackpot_account=JACKPOT,
        currency="EUR",
        contribution_minor=contribution_minor,
        win_minor=win_minor,
    )


def reserve(
    player: str, bet_id: str, stake_minor: int, timeout_ms: int | None = None
) -> TransferRequest:
    return reserve_stake(
        bet_id,
        player_account=player,
        house_account=HOUSE,
        stake_minor=stake_minor,
        currency="EUR",
        timeout_ms=timeout_ms,
    )
