"""The load ``test_bonus_crash.py`` kills: players claim an offer with nothing to wager,
so each claim is a grant then a conversion (two writes); a line per claim answered.

Usage: python bonus_crash_load.py DATABASE_URL ACK_FILE RUN_ID
"""

from __future__ import annotations

import asyncio
import os
import sys

from croupier.bootstrap import open_platform
from croupier.config import load_settings
from croupier.domain.bonus import parse_offer
from croupier.domain.errors import NotFound
from tests.support.vault import KEK_ENV

OFFER = {
    "offer_id": "instant",
    "name": "Instant",
    "kind": "no-deposit",
    "currency": "EUR",
    "amount_minor": 1_000,
    "wagering_multiple": 0,
}


async def main(url: str, ack_path: str, run_id: str) -> None:
    env = {**KEK_ENV, "CROUPIER_BONUS_SWEEP_S": "0"}
    platform = await open_platform(load_settings(env, database_url=url))
    assert platform.bonus is not None
    service = platform.bonus.service
    try:
        await service.offers.get("instant")
    except NotFound:
        await service.offers.define(parse_offer(OFFER))
    with open(ack_path, "a", buffering=1) as ack:
        for number in range(1000):
            email = f"{run_id}-{number}@example.com"
            player = await platform.accounts.register(
                email=email,
                password="correct horse battery",
                date_of_birth="1990-01-01",
                country="MT",
                currency="EUR",
            )
            ack.write(f"player {player.player_id}\n")
            await service.claim(player, "instant")
            ack.write(f"claimed {player.player_id}\n")
            os.fsync(ack.fileno())


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
