"""``croupier bench storage`` measures what it says, on both backends: the tables and indexes
a round writes grow, the players' set-up is not counted, and its scratch database is gone
afterwards. (Figures are for docs/benchmarks.md, never asserted here.)"""

from __future__ import annotations

from pathlib import Path

from croupier.benchmarks.storage import StorageReport, run_storage_bench
from tests.conftest import POSTGRES_ADMIN_DSN


async def _measure(backend: str, where: str) -> StorageReport:
    report = await run_storage_bench(
        backend,
        players=2,
        rounds_per_player=3,
        roulette_share=0.5,
        game_id="lotus-20",
        stake_minor=100,
        database_url=where,
    )
    assert report.rounds == 6 and report.slot_rounds + report.roulette_rounds == 6
    grown = {name for name, (_, _, size) in report.objects.items() if size > 0}
    assert "events" in grown  # every round writes its record and notices
    assert report.total > 0
    assert report.objects["players"][2] == 0  # set up before the measured rounds
    return report


async def test_it_reports_each_table_and_index_a_round_writes_on_sqlite(tmp_path: Path) -> None:
    await _measure("sqlite", str(tmp_path))
    assert list(tmp_path.iterdir()) == []  # the scratch folder is removed


async def test_it_reports_each_table_and_index_a_round_writes_on_postgres(
    postgres_url: str,  # PostgreSQL is reachable (else skipped, or failed in CI)
) -> None:
    import asyncpg

    report = await _measure("postgres", POSTGRES_ADMIN_DSN)
    assert "events_stream_seq_key" in report.objects
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=10)
    try:  # its scratch database is dropped
        left = await admin.fetchval(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'croupier_storage_%'"
        )
    finally:
        await admin.close()
    assert left == 0
