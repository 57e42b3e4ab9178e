"""Progressive jackpots: the pools on the ledger, and the ticker that shows their values.

- :mod:`~croupier.services.jackpots.pools`: pool and house accounts, seeding, a win's payout;
- :mod:`~croupier.services.jackpots.ticker`: pool values pushed to ``jackpots`` subscribers;
- :mod:`~croupier.services.jackpots.display`: the newest values, shared by gateways.
"""

from croupier.services.jackpots.display import JackpotDisplay, MemoryJackpotDisplay
from croupier.services.jackpots.pools import (
    JACKPOT_CAP_MINOR,
    JackpotPools,
    house_account,
    jackpot_win_id,
    pool_account,
    pool_entry,
)
from croupier.services.jackpots.ticker import TICK_TYPE, JackpotTicker

__all__ = [
    "JACKPOT_CAP_MINOR",
    "TICK_TYPE",
    "JackpotDisplay",
    "JackpotPools",
    "JackpotTicker",
    "MemoryJackpotDisplay",
    "house_account",
    "jackpot_win_id",
    "pool_account",
    "pool_entry",
]
