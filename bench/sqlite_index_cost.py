"""What the transfers table's indexes cost SQLite per bet settlement, on their own.

The ledger's commit inserts each transfer into the table (appended by seq) and into its
indexes: the unique id, the pending id (posts and voids) and the two per-account histories.
Index keys such as a client's transfer id or a player's account land at random places in
their B-tree, and SQLite's WAL logs whole pages, so every such insert writes a page of its
own. This replays settlement-shaped batches (a batch of reserves, then a batch of posts with
a jackpot contribution and a win on one spin in three) against a bare table with a chosen
set of indexes and prints the commit time per settlement and the bytes written.

    .venv/bin/python bench/sqlite_index_cost.py            # every variant, 200 batches each
    .venv/bin/python bench/sqlite_index_cost.py --variant none --batches 400
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

INDEXES = {
    "id": "CREATE UNIQUE INDEX t_id ON transfers (id)",
    "pending": "CREATE UNIQUE INDEX t_pending ON transfers (pending_id) "
    "WHERE pending_id IS NOT NULL",
    "debit": "CREATE INDEX t_debit ON transfers (debit, seq)",
    "credit": "CREATE INDEX t_credit ON transfers (credit, seq)",
}
VARIANTS = {
    "all": ("id", "pending", "debit", "credit"),  # the ledger's schema
    "ids": ("id", "pending"),
    "none": (),
}


def _written_bytes() -> int:
    for line in Path(f"/proc/{os.getpid()}/io").read_text().splitlines():
        if line.startswith("write_bytes"):
            return int(line.split()[1])
    return 0


def run(variant: str, batches: int, players: int, ordered_ids: bool, directory: str) -> str:
    path = Path(directory) / f"{variant}.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA cache_size=-131072")
    conn.execute("PRAGMA wal_autocheckpoint=10000")
    conn.execute(
        "CREATE TABLE transfers (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT, "
        "debit TEXT, credit TEXT, amount INTEGER, pending_id TEXT, batch INTEGER)"
    )
    for name in VARIANTS[variant]:
        conn.execute(INDEXES[name])
    conn.execute("CREATE TABLE accounts (id TEXT PRIMARY KEY, posted INTEGER, pending INTEGER)")
    accounts = [f"player:{i:06d}:cash" for i in range(players)]
    conn.executemany("INSERT INTO accounts VALUES (?, 0, 0)", [(a,) for a in accounts])
    draw = random.Random(1)
    reserved: list[tuple[str, str]] = []
    counter = 0
    committing = 0.0
    written = _written_bytes()
    for batch in range(batches):
        rows: list[tuple[object, ...]] = []
        if batch % 2 == 0:  # reserve the stakes
            reserved = []
            for _ in range(players):
                counter += 1
                bet = f"bet-{counter:012d}" if ordered_ids else f"bet-{uuid.uuid4().hex}"
                player = draw.choice(accounts)
                reserved.append((bet, player))
                rows.append((f"{bet}:stake", "pending", player, "house", 100, None, batch))
        else:  # settle them: post, jackpot contribution, a win on one spin in three
            for bet, player in reserved:
                rows.append((f"{bet}:post", "post", player, "house", 100, f"{bet}:stake", batch))
                rows.append((f"{bet}:jackpot", "single", "house", "jackpot", 1, None, batch))
                if draw.random() < 1 / 3:
                    rows.append((f"{bet}:win", "single", "house", player, 300, None, batch))
        touched = {row[2] for row in rows} | {row[3] for row in rows}
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO transfers (id, kind, debit, credit, amount, pending_id, batch) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.executemany(
            "UPDATE accounts SET posted = posted + 1 WHERE id = ?", [(a,) for a in touched]
        )
        conn.execute("COMMIT")
        committing += time.perf_counter() - started
    written = _written_bytes() - written
    conn.close()
    settlements = batches // 2 * players
    return (
        f"{variant:>5} indexes ({', '.join(VARIANTS[variant]) or 'none'}), "
        f"{'ordered' if ordered_ids else 'random'} ids: "
        f"{committing / settlements * 1e6:6.1f} µs of commit per settlement, "
        f"{written / settlements / 1024:5.1f} KiB written per settlement"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", choices=sorted(VARIANTS), action="append")
    parser.add_argument("--batches", type=int, default=200, help="Half reserves, half settles.")
    parser.add_argument("--players", type=int, default=1000, help="Settlements per batch.")
    parser.add_argument(
        "--ordered-ids", action="store_true", help="Ids that grow (as a sequence) instead of UUIDs."
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="croupier-index-cost-") as directory:
        for variant in args.variant or ["all", "ids", "none"]:
            print(run(variant, args.batches, args.players, args.ordered_ids, directory))


if __name__ == "__main__":
    main()
