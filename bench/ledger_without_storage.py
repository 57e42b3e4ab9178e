"""The ledger bench with storage replaced by a no-op: the ceiling of the Python side alone.

    .venv/bin/python bench/ledger_without_storage.py [SECONDS] [PRODUCERS]

Prints settlements/s and CPU µs per settlement of the writer, its producers and asyncio,
with no database work at all (see docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Collection, Mapping

import uvloop

import croupier.benchmarks.ledger as ledger_bench
from croupier.domain.ledger import GENESIS_HASH, Account, Balance, BatchRecord, Transfer
from croupier.services.ledger import WriterLimits


class NoStorage:
    """Accepts every batch and remembers nothing."""

    async def open(self, *, writer: bool) -> None: ...

    async def close(self) -> None: ...

    async def head(self) -> tuple[int, str]:
        return 0, GENESIS_HASH

    async def load_open_pendings(self) -> list[Transfer]:
        return []

    async def load_accounts(self, ids: Collection[str]) -> list[tuple[Account, Balance]]:
        return []

    async def load_for_batch(
        self,
        account_ids: Collection[str],
        transfer_ids: Collection[str],
        streams: Collection[str] = (),
    ) -> tuple[list[tuple[Account, Balance]], list[Transfer], dict[str, int]]:
        return [], [], {stream: 0 for stream in streams}

    async def commit(self, batch: BatchRecord, balances: Mapping[str, Balance]) -> None:
        await asyncio.sleep(0)

    async def batches(self, *, chunk_size: int = 1000) -> AsyncIterator[BatchRecord]:
        for _ in ():
            yield _

    async def all_accounts(self) -> list[tuple[Account, Balance]]:
        return []

    async def open_pending_ids(self) -> list[str]:
        return []

    @contextlib.asynccontextmanager
    async def snapshot(self) -> AsyncIterator[NoStorage]:
        yield self


async def main(seconds: float, producers: int) -> None:
    ledger_bench.make_store = lambda url: NoStorage()  # type: ignore[assignment,return-value]
    result = await ledger_bench._run_mode("none", "group", seconds, producers, WriterLimits())
    print(
        f"{result.settlements_per_s:,.0f} settlements/s, "
        f"{result.cpu_us_per_settlement:.1f} µs CPU per settlement, "
        f"request p99 {result.p99_ms:.1f} ms, {result.batches} batches"
    )


if __name__ == "__main__":
    uvloop.run(
        main(
            float(sys.argv[1]) if len(sys.argv) > 1 else 5,
            int(sys.argv[2]) if len(sys.argv) > 2 else 1000,
        )
    )
