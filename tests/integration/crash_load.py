"""A ledger load to be killed: ``python crash_load.py DATABASE_URL ACK_FILE RUN_ID``.

Producers reserve and settle bets as fast as they can; after each durable acknowledgement a
line ``<kind> <bet_id>`` is appended to ACK_FILE with a single unbuffered write, so the file
holds only what the ledger acknowledged.
"""

from __future__ import annotations

import asyncio
import os
import sys

from croupier.bootstrap import make_store
from croupier.domain.ledger import Account, AccountKind, CreateAccount, TransferRequest
from croupier.services.ledger import Ledger, LedgerWriter
from croupier.services.ledger.bets import reserve_stake, settle_bet

PRODUCERS = 20
HOUSE, CLEARING, JACKPOT = "house:EUR", "clearing:EUR", "jackpot:EUR"


async def main(url: str, ack_path: str, run_id: str) -> None:
    store = make_store(url)
    await store.open(writer=True)
    writer = LedgerWriter(store)
    await writer.start()
    ledger = Ledger(store, writer)
    accounts = [
        Account(HOUSE, AccountKind.HOUSE_BANKROLL, "EUR", -(10**12)),
        Account(CLEARING, AccountKind.PAYMENT_CLEARING, "EUR", None),
        Account(JACKPOT, AccountKind.JACKPOT_POOL, "EUR", 0),
    ] + [Account(f"p{i}", AccountKind.PLAYER_CASH, "EUR", 0) for i in range(PRODUCERS)]
    await ledger.submit([CreateAccount(a) for a in accounts])
    for i in range(PRODUCERS):
        await ledger.submit(
            [
                TransferRequest.create(
                    f"deposit:{i}",
                    debit_account_id=CLEARING,
                    credit_account_id=f"p{i}",
                    amount_minor=10**9,
                    currency="EUR",
                )
            ]
        )
    ack = os.open(ack_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(ack, b"ready -\n")

    async def produce(p: int) -> None:
        player = f"p{p}"
        for k in range(10**9):
            bet = f"{run_id}:{p}:{k}"
            await ledger.submit(
                [
                    reserve_stake(
                        bet,
                        player_account=player,
                        house_account=HOUSE,
                        stake_minor=10,
                        currency="EUR",
                    )
                ]
            )
            os.write(ack, f"reserve {bet}\n".encode())
            if k % 4 == 3:
                continue  # left open: a round the crash interrupts must stay refundable
            await ledger.submit(
                settle_bet(
                    bet,
                    player_account=player,
                    house_account=HOUSE,
                    jackpot_account=JACKPOT,
                    currency="EUR",
                    contribution_minor=1,
                    win_minor=1 + k % 30,
                )
            )
            os.write(ack, f"settle {bet}\n".encode())

    await asyncio.gather(*(produce(p) for p in range(PRODUCERS)))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
