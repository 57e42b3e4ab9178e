"""Progressive jackpot pools: opened and seeded from the house, paid whole, reseeded.

A pool is the ledger account ``jackpot:<game>:<currency>``. Every paid slot round moves its
contribution (a share of the stake, set in the game's data) from the house into the pool. A
hit pays the whole pool — this round's contribution included — to the player, and the house
puts the seed back, both in the settlement's own linked group.

Simultaneous hits: the writer applies groups one at a time, so the first settled hit takes
the pool and a hit settled after it takes the pool as reseeded (at least the seed). The amount
is decided by the ledger (a balancing transfer), never by a possibly stale read.
"""

from __future__ import annotations

from croupier.domain.events import JackpotWon, encode
from croupier.domain.games.slots_definition import JackpotRule
from croupier.domain.ledger import (
    Account,
    AccountKind,
    Command,
    CreateAccount,
    TransferRequest,
)
from croupier.services.ledger import LedgerClient

__all__ = [
    "JACKPOT_CAP_MINOR",
    "JackpotPools",
    "house_account",
    "jackpot_win_id",
    "pool_account",
    "pool_entry",
]

JACKPOT_CAP_MINOR = 2**62  # a balancing transfer's cap: in effect "all the pool holds"


def house_account(currency: str) -> str:
    return f"house:{currency}"


def pool_account(game_id: str, currency: str) -> str:
    return f"jackpot:{game_id}:{currency}"


def jackpot_win_id(round_id: str) -> str:
    """The transfer that pays a round's jackpot hit."""
    return f"{round_id}:jackpot-win"


def pool_entry(account_id: str, amount_minor: int) -> dict[str, object]:
    """A pool's value as the API shows it (``GET /v1/jackpots``, the ``jackpots`` channel)."""
    _, game_id, currency = account_id.split(":")
    return {"game_id": game_id, "currency": currency, "amount": amount_minor}


class JackpotPools:
    def __init__(self, ledger: LedgerClient, house_floor_minor: int) -> None:
        self.ledger = ledger
        self.house_floor_minor = house_floor_minor
        self._seeded: set[tuple[str, str]] = set()  # bounded by games × currencies

    def open_house(self, currency: str) -> list[Command]:
        """The house in this currency, opened idempotently with a round's first group."""
        house = Account(
            house_account(currency), AccountKind.HOUSE_BANKROLL, currency, self.house_floor_minor
        )
        return [CreateAccount(house)]

    async def ensure_seeded(self, game_id: str, currency: str, rule: JackpotRule) -> None:
        """Open the game's pool in this currency and seed it from the house, once.

        A group of its own with a fixed transfer id: the first call seeds, every later one
        (from any process, after any restart) is a replay.
        """
        if (game_id, currency) in self._seeded:
            return
        pool = pool_account(game_id, currency)
        opened = Account(pool, AccountKind.JACKPOT_POOL, currency, 0)
        group: list[Command] = [*self.open_house(currency), CreateAccount(opened)]
        await self.ledger.submit(group + _seed(f"{pool}:seed", pool, currency, rule.seed_minor))
        self._seeded.add((game_id, currency))

    def payout(
        self, round_id: str, game_id: str, currency: str, player_account: str, rule: JackpotRule
    ) -> list[Command]:
        """The commands of a hit, for the settlement's linked group."""
        pool = pool_account(game_id, currency)
        win = TransferRequest.create(
            jackpot_win_id(round_id),
            debit_account_id=pool,
            credit_account_id=player_account,
            amount_minor=JACKPOT_CAP_MINOR,
            currency=currency,
            reason="jackpot_win",
            balancing=True,
        )
        # The amount is the pool at the moment the writer applies the group: it fills it in.
        won = encode(
            JackpotWon(round_id=round_id, game_id=game_id, currency=currency, pool=pool),
            amounts={"amount": win.id},
        )
        reseed = _seed(f"{round_id}:jackpot-reseed", pool, currency, rule.seed_minor)
        return [win, *reseed, won]

    async def current(self, *, limit: int = 1000) -> list[dict[str, object]]:
        """Every pool's value now (committed), for tickers and the lobby."""
        pools = await self.ledger.accounts_of_kind(AccountKind.JACKPOT_POOL.value, limit=limit)
        return [pool_entry(account.id, balance.available) for account, balance in pools]


def _seed(transfer_id: str, pool: str, currency: str, seed_minor: int) -> list[Command]:
    """The house funds the pool's seed (nothing when the game's seed is 0)."""
    if not seed_minor:
        return []
    return [
        TransferRequest.create(
            transfer_id,
            debit_account_id=house_account(currency),
            credit_account_id=pool,
            amount_minor=seed_minor,
            currency=currency,
            reason="jackpot_seed",
        )
    ]
