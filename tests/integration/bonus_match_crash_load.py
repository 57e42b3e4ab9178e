"""The process ``test_bonus_match_crash.py`` kills: a player opts in to a deposit match,
deposits, and the process SIGKILLs itself the moment its handler is about to grant the
match (after the deposit committed, before the grant): the crash the sweep repairs.

Usage: python bonus_match_crash_load.py DATABASE_URL ACK_FILE
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any

from croupier.bootstrap import open_platform
from croupier.config import load_settings
from croupier.domain.bonus import parse_offer
from tests.support.vault import KEK_ENV

MATCH = {
    "offer_id": "welcome",
    "name": "Welcome match",
    "kind": "deposit-match",
    "currency": "EUR",
    "match_percent": 50,
    "match_cap_minor": 2_000,
    "wagering_multiple": 2,
    "wagering_base": "bonus+deposit",
}


def _die(*_: Any) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def main(url: str, ack_path: str) -> None:
    env = {**KEK_ENV, "CROUPIER_BONUS_SWEEP_S": "0"}
    platform = await open_platform(load_settings(env, database_url=url))
    assert platform.bonus is not None
    service = platform.bonus.service
    await service.offers.define(parse_offer(MATCH))
    player = await platform.accounts.register(
        email="crashed-match@example.com",
        password="correct horse battery",
        date_of_birth="1990-01-01",
        country="MT",
        currency="EUR",
    )
    await service.claim(player, "welcome")
    with open(ack_path, "w") as ack:
        ack.write(player.player_id)
        ack.flush()
        os.fsync(ack.fileno())
    setattr(service, "on_deposit", _die)  # noqa: B010 - the crash, between deposit and grant
    await platform.wallet.deposit(player, "crashed-deposit", 3_000)
    await asyncio.sleep(120)  # the handler kills us long before: exit 3 says it did not
    sys.exit(3)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:3]))
