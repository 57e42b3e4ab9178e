"""The outbox relay into NATS JetStream: catch-up, live and publish-only throughput, and
read latency on one player's stream. Run from the repository root, NATS on 127.0.0.1:4222:

    PYTHONPATH=. .venv/bin/python bench/stream_relay.py [--events 200000] [--per-batch 20]

It creates its own JetStream streams and deletes them at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import tempfile
import time

import nats
from tests.support.ledger import open_test_ledger

from croupier.adapters.stream.nats import JetStreamStream
from croupier.domain.ledger import AppendEvent
from croupier.services.stream import OutboxRelay, StreamEvent

URL = "nats://127.0.0.1:4222"


async def fill(ledger, events: int, per_batch: int, players: int) -> None:
    n = 0
    while n < events:
        groups = []
        for _ in range(per_batch // 2):  # a settled round: two events per group
            p = f"player:p{(n // 2) % players}"
            groups.append(
                [
                    AppendEvent.create(
                        p, "round.settled", {"round_id": f"r{n}", "win": "1.50", "stake": "1.00"}
                    ),
                    AppendEvent.create(
                        p, "balance.changed", {"balance": "101.50", "currency": "EUR"}
                    ),
                ]
            )
            n += 2
        await asyncio.gather(*(ledger.submit(g) for g in groups))


async def main() -> None:  # noqa: PLR0915  (a benchmark reads best top to bottom)
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--per-batch", type=int, default=20)
    parser.add_argument("--players", type=int, default=1000)
    args = parser.parse_args()
    token = secrets.token_hex(4)
    name, prefix = f"CROUPIER_BENCH_{token.upper()}", f"croupier-bench-{token}"
    admin = await nats.connect(URL)
    with tempfile.TemporaryDirectory() as tmp:
        ledger = await open_test_ledger(f"sqlite:///{tmp}/ledger.db")
        stream = JetStreamStream(URL, stream_name=name, subject_prefix=prefix)
        await stream.start()
        try:
            # 1. catch-up: the outbox holds N events, a relay starts and publishes them all
            started = time.perf_counter()
            await fill(ledger, args.events, args.per_batch, args.players)
            filled = time.perf_counter() - started
            head, _ = await ledger.store.head()
            print(
                f"ledger: {args.events} events in {head} batches committed in {filled:.2f}s "
                f"({args.events / filled:,.0f} events/s)"
            )
            relay = OutboxRelay(ledger.store, stream)
            ledger.writer.on_commit(relay.on_commit)
            started = time.perf_counter()
            await relay.start()
            while (await admin.jsm().stream_info(name)).state.messages < args.events:
                await asyncio.sleep(0.01)
            spent = time.perf_counter() - started
            print(f"catch-up through the relay: {args.events / spent:,.0f} events/s ({spent:.2f}s)")

            # 2. live: the relay publishes each batch as the writer commits it
            started = time.perf_counter()
            await fill(ledger, args.events, args.per_batch, args.players)
            committed = time.perf_counter() - started
            while (await admin.jsm().stream_info(name)).state.messages < 2 * args.events:
                await asyncio.sleep(0.005)
            spent = time.perf_counter() - started
            print(
                f"live (commit + relay): {args.events / spent:,.0f} events/s end to end "
                f"(commits alone took {committed:.2f}s)"
            )
            await relay.close()

            # 3. publish alone, pairs prepared in memory (no SQLite), in runs of one batch
            head, _ = await ledger.store.head()
            events = await ledger.store.events_in_batches(1, head)
            other = JetStreamStream(URL, stream_name=name + "_2", subject_prefix=prefix + "-2")
            await other.start()
            pairs = [(e.batch_seq, StreamEvent.of(e)) for e in events]
            started = time.perf_counter()
            for i in range(0, len(pairs), 1000):
                await other.publish(pairs[i : i + 1000])
            spent = time.perf_counter() - started
            print(f"publish() alone, 1000 events a call: {len(pairs) / spent:,.0f} events/s")
            await other.close()
            await admin.jsm().delete_stream(name + "_2")

            # 4. read latency on a player stream
            busiest = "player:p7"
            total = len(await ledger.store.stream_events(busiest, limit=100_000))
            for after, limit in (
                (total, 100),
                (total - 1, 100),
                (total - 5, 100),
                (total - 50, 100),
                (0, 1000),
            ):
                t = time.perf_counter()
                for _ in range(20):
                    got = await stream.read(busiest, after_seq=after, limit=limit)
                ms = (time.perf_counter() - t) / 20 * 1000
                print(
                    f"read {busiest} ({total} events; stream holds {2 * args.events}) "
                    f"after {after} limit {limit}: {len(got)} events in {ms:.2f} ms"
                )
        finally:
            await stream.close()
            await ledger.close()
            await admin.jsm().delete_stream(name)
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
