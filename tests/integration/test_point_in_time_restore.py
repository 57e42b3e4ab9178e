"""Backup and point-in-time restore of the ledger (issue 13, section 6), with the commands of
the runbook (docs/operations.md, "Backup and point-in-time restore"): ``scripts/pitr.sh`` and
``croupier ledger verify``.

A private PostgreSQL 15 archives its WAL; real services play rounds on it; a base backup;
more rounds; a named restore point; more rounds, all relayed to a JetStream stream. The
restore, from the backup and the archive alone (the first server stopped), must hold exactly
the batches up to the restore point, the same bytes (hashes) and balances, pass ``ledger
verify`` anchored at the head noted at the mark, refuse the old event stream
(``StreamLedgerMismatch``), and play on with a stream of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from croupier.bootstrap import Platform, make_seed_pair_store, open_ledger, open_platform
from croupier.config import ConfigError, load_settings
from croupier.domain.accounts.player import Player
from croupier.domain.errors import StreamLedgerMismatch
from croupier.services.fairness.ports import StoredPair
from croupier.services.ledger import LedgerStore, verify_ledger
from croupier.services.stream.channels import player_stream
from tests.support.nats import (
    NATS_URL,
    STEP_TIMEOUT_S,
    nats_stream_url,  # noqa: F401  (a fixture)
)
from tests.support.platform import funded_player
from tests.support.private_postgres import PGBIN, PITR, PrivatePostgres, private_postgres
from tests.support.vault import KEK_ENV, open_test_vault

CROUPIER = Path(sys.executable).parent / "croupier"
WAIT_S = 60.0  # a budget for the relay to publish, not a delay
MARK = "before-evening"


@pytest.fixture
def servers() -> Iterator[PrivatePostgres]:
    with private_postgres("primary", "restored", "unreached") as made:
        yield made


@contextlib.asynccontextmanager
async def platform_on(url: str, stream_url: str) -> AsyncIterator[Platform]:
    platform = await open_platform(
        load_settings({**KEK_ENV, "CROUPIER_STREAM_URL": stream_url}, database_url=url)
    )
    try:
        yield platform
    finally:
        await platform.close()


async def play(platform: Platform, players: list[Player], tag: str, rounds: int) -> None:
    await asyncio.gather(
        *(
            platform.rounds.play(player, "lotus-20", f"{tag}-{n}-{i:03d}", {"stake": 100})
            for n, player in enumerate(players)
            for i in range(rounds)
        )
    )


async def snapshot(platform: Platform) -> tuple[int, dict[int, str], dict[str, int]]:
    return await stored_state(platform.ledger.store)


async def restored_state(url: str) -> tuple[int, dict[int, str], dict[str, int]]:
    ledger = await open_ledger(load_settings(KEK_ENV, database_url=url), writer=False)
    try:
        return await stored_state(ledger.store)
    finally:
        await ledger.close()


async def stored_state(store: LedgerStore) -> tuple[int, dict[int, str], dict[str, int]]:
    """The head, every batch's hash and every account's posted balance."""
    head, _ = await store.head()
    hashes = await store.batch_hashes(1, head)
    balances = {account.id: balance.posted for account, balance in await store.all_accounts()}
    return head, hashes, balances


async def relayed(platform: Platform, player: Player) -> None:
    """Wait until the stream holds every event of the player's stream the ledger has."""
    name = player_stream(player.player_id)
    want = len(await platform.ledger.store.stream_events(name))
    deadline = time.monotonic() + WAIT_S
    while len(await platform.stream.read(name, after_seq=0, limit=10_000)) < want:
        assert time.monotonic() < deadline, "the relay did not publish the rounds"
        await asyncio.sleep(0.05)


def croupier_verify(url: str, expect: str) -> dict[str, object]:
    done = subprocess.run(
        [str(CROUPIER), "ledger", "verify", "--database-url", url, "--expect", expect, "--json"],
        check=False,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_S,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(json.loads(done.stdout))


async def test_a_restore_to_a_named_point_holds_exactly_the_ledger_at_that_point(
    servers: PrivatePostgres,
    nats_stream_url: str,  # noqa: F811
) -> None:
    servers.init("primary")
    servers.start("primary")
    servers.run(PGBIN / "createdb", "-h", "127.0.0.1", "-p", servers.ports["primary"], "croupier")
    primary = servers.url("primary", "croupier")

    async with platform_on(primary, nats_stream_url) as platform:
        players = [await funded_player(platform, f"pitr{n}@example.com", 100_000) for n in range(2)]
        await play(platform, players, "morning", 10)
        servers.run(PITR, "backup", servers.url("primary"), servers.root / "backup")
        await play(platform, players, "noon", 10)
        at_mark = await snapshot(platform)
        pair_at_mark = await platform.seed_pairs.active(players[0].player_id)
        servers.run(PITR, "mark", servers.url("primary"), MARK)
        await play(platform, players, "evening", 10)
        after = await snapshot(platform)
        await relayed(platform, players[0])
    assert after[0] > at_mark[0]
    servers.stop("primary")  # the restore needs only the backup and the archive

    servers.run(
        PITR,
        "restore",
        servers.root / "backup",
        servers.archive,
        servers.root / "restored",
        "--name",
        MARK,
    )
    servers.start("restored")
    await refuses_an_unreached_target(servers)
    servers.run(PITR, "promoted", servers.url("restored"))
    restored = servers.url("restored", "croupier")

    head, hashes = at_mark[0], at_mark[1]
    report = croupier_verify(restored, f"{head}:{hashes[head]}")
    assert report["ok"] and report["head_seq"] == head and report["problems_total"] == 0

    assert await restored_state(restored) == at_mark  # exactly the batches up to the mark

    # The seed pairs are as they were at the mark: the evening's nonces would be dealt again
    # from a seed whose outcomes the player has seen. `fairness rotate-all` retires them.
    assert pair_at_mark is not None
    assert await active_pair(restored, players[0].player_id) == pair_at_mark
    assert rotate_all(restored) == {
        "rotated": sorted(p.player_id for p in players),
        "open_rounds": [],
    }
    rotated = await active_pair(restored, players[0].player_id)
    assert rotated is not None and rotated.pair.nonce == 0
    assert rotated.pair.server_seed_hash != pair_at_mark.pair.server_seed_hash

    # The ledger restored to an earlier point refuses the stream that saw the evening.
    with pytest.raises(StreamLedgerMismatch, match="restored to an earlier point"):
        await open_platform(
            load_settings(
                {**KEK_ENV, "CROUPIER_STREAM_URL": nats_stream_url}, database_url=restored
            )
        )

    # A new name alone, the old stream kept: its subjects are the old stream's. Said clearly.
    renamed = nats_stream_url.replace("?stream=", "?stream=R")
    with pytest.raises(ConfigError, match="NEW_PREFIX"):
        await open_platform(
            load_settings({**KEK_ENV, "CROUPIER_STREAM_URL": renamed}, database_url=restored)
        )

    # The runbook's remedy: a stream of its own (a new name and prefix), and play goes on.
    fresh = nats_stream_url.replace("?stream=", "?stream=R").replace("&prefix=", "&prefix=r")
    try:
        async with platform_on(restored, fresh) as platform:
            assert (await verify_ledger(platform.ledger.store)).ok
            player = (
                await platform.accounts.login(
                    email="pitr0@example.com", password="correct horse battery", ip="1.2.3.4"
                )
            ).player
            before = (await platform.wallet.wallet(player)).cash
            played = await platform.rounds.play(player, "lotus-20", "after-restore", {"stake": 100})
            won = played["win"] + (played.get("jackpot_win") or 0)
            assert (await platform.wallet.wallet(player)).cash == before - 100 + won
            await relayed(platform, player)
    finally:
        await delete_stream(fresh)


async def active_pair(url: str, player_id: str) -> StoredPair | None:
    store = make_seed_pair_store(url, await open_test_vault(url))
    await store.open()
    try:
        return await store.active(player_id)
    finally:
        await store.close()


def rotate_all(url: str) -> dict[str, object]:
    done = subprocess.run(
        [str(CROUPIER), "fairness", "rotate-all", "--database-url", url],
        check=False,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_S,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(json.loads(done.stdout))


async def refuses_an_unreached_target(servers: PrivatePostgres) -> None:
    """A restore point the archive never reaches: the server stops rather than open short."""
    servers.run(
        PITR,
        "restore",
        servers.root / "backup",
        servers.archive,
        servers.root / "unreached",
        "--name",
        "no-such-mark",
    )
    with contextlib.suppress(AssertionError):  # or it started, read-only, while recovering
        servers.start("unreached")
    deadline = time.monotonic() + WAIT_S
    while servers.running("unreached"):
        assert time.monotonic() < deadline, "a restore short of its target kept running"
        await asyncio.sleep(0.1)
    log = (servers.root / "unreached.log").read_text()
    assert "recovery ended before configured recovery target was reached" in log


async def delete_stream(stream_url: str) -> None:
    import nats
    from nats.js.errors import NotFoundError

    name = stream_url.partition("?stream=")[2].partition("&")[0]
    client = await nats.connect(NATS_URL, connect_timeout=STEP_TIMEOUT_S)
    try:
        with contextlib.suppress(NotFoundError):
            await client.jetstream(timeout=STEP_TIMEOUT_S).delete_stream(name)
    finally:
        await client.close()
