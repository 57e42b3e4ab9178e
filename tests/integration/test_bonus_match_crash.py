"""A deposit match interrupted by kill -9 (the deposit committed, the grant not yet): the
sweep grants it once, a second sweep changes nothing; the live handler and two sweeps racing
grant one match. Both databases (docs/bonuses.md, "Ends, and the sweep")."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from croupier.services.bonus.ledger_ops import bonus_stream, promotions_account
from croupier.services.ledger import verify_ledger
from tests.support.vault import KEK_ENV

LOAD = Path(__file__).with_name("bonus_match_crash_load.py")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.timeout(300)


async def test_a_deposit_match_killed_before_its_grant_is_granted_once_by_the_sweep(
    database_url: str, tmp_path: Path
) -> None:
    ack = tmp_path / "player.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(LOAD), database_url, str(ack)], env=env, timeout=200, check=False
    )
    assert done.returncode == -signal.SIGKILL, "the process was not killed before the grant"
    player_id = ack.read_text()
    platform: Platform = await open_platform(
        load_settings({**KEK_ENV, "CROUPIER_BONUS_SWEEP_S": "0"}, database_url=database_url)
    )
    try:
        assert platform.bonus is not None
        service = platform.bonus.service
        player = await platform.players.get_player(player_id)
        assert player is not None
        before = await service.overview(player)
        assert before["waiting_for_deposit"] == "welcome" and before["active"] == []
        wallet = await platform.wallet.wallet(player)
        assert (wallet.cash, wallet.bonus) == (3_000, 0)  # the deposit committed, no grant

        assert await platform.bonus.sweep() == 1
        after = await service.overview(player)
        assert after["waiting_for_deposit"] is None
        [active] = after["active"]
        assert (active["amount"], active["deposit"]) == (1_500, 3_000)  # 50 % of 3000
        assert active["requirement"] == 2 * (1_500 + 3_000)

        assert await platform.bonus.sweep() == 0  # a second sweep changes nothing
        events = await platform.ledger.stream_events(bonus_stream(player_id))
        assert [e.type for e in events] == ["bonus.opted_in", "bonus.granted"]
        assert json.loads(events[1].data_json)["amount"] == 1_500
        wallet = await platform.wallet.wallet(player)
        assert (wallet.cash, wallet.bonus) == (3_000, 1_500)
        promotions = (await platform.ledger.balance(promotions_account("EUR")))[1]
        assert promotions.posted == -1_500
        assert (await verify_ledger(platform.ledger.store)).ok
    finally:
        await platform.close()


async def test_the_live_handler_and_two_sweeps_racing_grant_one_match(platform: Platform) -> None:
    from croupier.domain.bonus import parse_offer

    assert platform.bonus is not None
    service = platform.bonus.service
    await service.offers.define(
        parse_offer(
            {
                "offer_id": "welcome",
                "name": "Welcome match",
                "kind": "deposit-match",
                "currency": "EUR",
                "match_percent": 50,
                "match_cap_minor": 2_000,
                "wagering_multiple": 2,
            }
        )
    )
    player = await platform.accounts.register(
        email="raced@example.com",
        password="correct horse battery",
        date_of_birth="1990-01-01",
        country="MT",
        currency="EUR",
    )
    await service.claim(player, "welcome")
    await platform.wallet.deposit(player, "raced-deposit", 3_000)
    # the live handler's grant is on its way (spawned at the commit): two sweeps race it
    await asyncio.gather(platform.bonus.sweep(), platform.bonus.sweep())
    for _ in range(200):  # the live handler's task, bounded
        if not platform.bonus.tasks:
            break
        await asyncio.sleep(0.05)
    events = await platform.ledger.stream_events(bonus_stream(player.player_id))
    assert [e.type for e in events] == ["bonus.opted_in", "bonus.granted"]
    wallet = await platform.wallet.wallet(player)
    assert (wallet.cash, wallet.bonus) == (3_000, 1_500)
    promotions = (await platform.ledger.balance(promotions_account("EUR")))[1]
    assert promotions.posted == -1_500
    assert await platform.bonus.sweep() == 0
    assert (await verify_ledger(platform.ledger.store)).ok
