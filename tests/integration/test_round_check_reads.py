"""The per-round checks read what they need once: a round reads the player's
responsible-gambling row once (the gate's read serves the round's opening write), and a
limit lowered between two rounds still binds the very next one. Both engines."""

from __future__ import annotations

from datetime import datetime

import pytest

from croupier.bootstrap import Platform
from croupier.domain.compliance.responsible import ResponsibleState
from croupier.domain.errors import WagerLimit
from croupier.services.compliance.responsible import ResponsibleGambling, ResponsibleStore
from tests.support.platform import funded_player

IP = "1.2.3.4"


class CountingStore:
    """Our own store port, counting the reads it passes on."""

    def __init__(self, inner: ResponsibleStore) -> None:
        self.inner = inner
        self.reads = 0

    async def open(self) -> None:
        await self.inner.open()

    async def close(self) -> None:
        await self.inner.close()

    async def get(self, player_id: str) -> tuple[ResponsibleState, int] | None:
        self.reads += 1
        return await self.inner.get(player_id)

    async def put(self, state: ResponsibleState, *, version: int, at: datetime) -> bool:
        return await self.inner.put(state, version=version, at=at)

    async def excluded(
        self, now_ms: int, *, after_player_id: str, limit: int
    ) -> list[ResponsibleState]:
        return await self.inner.excluded(now_ms, after_player_id=after_player_id, limit=limit)


def _rg(platform: Platform) -> ResponsibleGambling:
    assert platform.responsible is not None
    return platform.responsible


async def test_a_round_reads_the_settings_once_and_a_lowered_limit_binds_the_next(
    platform: Platform,
) -> None:
    player = await funded_player(platform, "reads-once@example.com", 100_00)
    rg = _rg(platform)
    await rg.set_limits(player, {"wager": {"daily": 1_000}}, ip=IP)
    await platform.rounds.play(player, "lotus-20", "once-0000", {"stake": 100})  # the session
    counting = CountingStore(rg.store)
    rg.store = counting
    for n in range(1, 4):
        await platform.rounds.play(player, "lotus-20", f"once-{n:04d}", {"stake": 100})
    assert counting.reads == 3  # one a round, not two
    await rg.set_limits(player, {"wager": {"daily": 400}}, ip=IP)  # 400 already wagered
    with pytest.raises(WagerLimit):
        await platform.rounds.play(player, "lotus-20", "once-0004", {"stake": 100})
