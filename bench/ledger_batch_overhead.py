"""The ledger writer's fixed cost per batch: one request at a time, each its own durable
batch (what a quiet server does). Prints wall time, CPU of all threads and CPU of the event
loop's thread per batch. Run from the repository root:

    PYTHONPATH=. .venv/bin/python bench/ledger_batch_overhead.py [BATCHES]
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time

import uvloop
from tests.support.ledger import open_test_ledger

from croupier.domain.ledger import Account, AccountKind, CreateAccount, TransferRequest


def _transfer(transfer_id: str, debit: str, credit: str, amount: int) -> TransferRequest:
    return TransferRequest.create(
        transfer_id,
        debit_account_id=debit,
        credit_account_id=credit,
        amount_minor=amount,
        currency="EUR",
        reason="bench",
    )


def _thread_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_THREAD)
    return usage.ru_utime + usage.ru_stime


async def main(batches: int) -> None:
    house, player = "house:EUR", "player:p1:cash"
    with tempfile.TemporaryDirectory() as directory:
        ledger = await open_test_ledger(f"sqlite:///{directory}/ledger.db")
        await ledger.submit(
            [
                CreateAccount(Account(house, AccountKind.HOUSE_BANKROLL, "EUR", -(10**12))),
                CreateAccount(Account(player, AccountKind.PLAYER_CASH, "EUR", 0)),
                _transfer("funding", house, player, 10**9),
            ]
        )
        wall, cpu, loop_cpu = time.perf_counter(), time.process_time(), _thread_cpu_s()
        for i in range(batches):
            await ledger.submit([_transfer(f"t{i}", player, house, 1)])
        wall = (time.perf_counter() - wall) / batches * 1e6
        cpu = (time.process_time() - cpu) / batches * 1e6
        loop_cpu = (_thread_cpu_s() - loop_cpu) / batches * 1e6
        print(
            f"{batches} batches of one transfer: {wall:.0f} µs wall, {cpu:.0f} µs CPU "
            f"(all threads), {loop_cpu:.0f} µs on the event loop's thread, per batch"
        )
        await ledger.close()


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
