"""Live cash tables on a real platform, driven by hand: a fake clock (no timer tasks), a
stacked deck (a server seed chosen by the test), and helpers to play a hand out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from croupier.domain.games.holdem import Hand
from croupier.services.ledger import LedgerClient
from croupier.services.poker import CashTable, PokerSettings, SeedSealer, TableDirectory

#: The 0.50/1.00 table: buy-ins from 40.00 to 100.00, 5 % rake capped at 3.00.
GAME = "holdem-nl-50-100"
TABLE = f"{GAME}-1"
HOLDEM_50_100: dict[str, Any] = {
    "kind": "holdem",
    "id": GAME,
    "currency": "EUR",
    "small_blind_minor": 50,
    "big_blind_minor": 100,
    "seat_count": 6,
    "rake_basis_points": 500,
    "rake_cap_minor": 300,
    "no_flop_no_drop": True,
    "min_buy_in_bb": 40,
    "max_buy_in_bb": 100,
}


@dataclass
class FakeClock:
    now_ms: int = 1_800_000_000_000

    def __call__(self) -> int:
        return self.now_ms


@dataclass
class Seeds:
    """Server seeds handed out in order (a fixed list, then a counter): known decks."""

    issued: list[str] = field(default_factory=list)
    _counter: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**9)))

    def __call__(self) -> str:
        seed = f"{next(self._counter):064x}"
        self.issued.append(seed)
        return seed


async def open_tables(
    ledger: LedgerClient,
    sealer: SeedSealer,
    clock: FakeClock,
    seeds: Seeds | None = None,
    settings: PokerSettings | None = None,
    house_floor_minor: int = -(10**12),
) -> TableDirectory:
    directory = TableDirectory(
        ledger,
        sealer,
        settings or PokerSettings(tables_per_game=1, action_timeout_ms=10_000, time_bank_ms=0),
        clock_ms=clock,
        run_timers=False,
        new_seed=seeds or Seeds(),
        house_floor_minor=house_floor_minor,
    )
    await directory.open({GAME: HOLDEM_50_100})
    return directory


def hand_of(table: CashTable) -> Hand:
    hand = table.model.hand
    assert hand is not None and not hand.is_complete
    return hand
