"""A round interrupted between its reserve and its settlement is finished on restart, from its
recorded seeds: the same outcome a player would recompute, paid once."""

from __future__ import annotations

import asyncio
import json

import pytest

from croupier.bootstrap import open_platform
from croupier.config import load_settings
from croupier.domain.fairness import ProvablyFairSource
from croupier.services.ledger import verify_ledger
from croupier.services.rounds import RoundService, round_stream
from tests.support.platform import funded_player


class Interrupted(Exception):
    """Stands for the process dying right after the stake was reserved."""


async def test_an_interrupted_spin_is_settled_on_restart(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings({}, database_url=database_url)
    platform = await open_platform(settings)
    try:
        player = await funded_player(platform, "crash@example.com", 1_000)

        async def die(self: RoundService, *args: object, **kwargs: object) -> None:
            raise Interrupted

        with monkeypatch.context() as patched:
            patched.setattr(RoundService, "_settle", die)
            with pytest.raises(Interrupted):
                await platform.rounds.play(player, "lotus-20", "spin-crash-1", {"stake": 100})
        wallet = await platform.wallet.wallet(player)
        assert (wallet.cash, wallet.pending) == (900, 100)  # reserved, not settled
        (round_view,) = (await platform.rounds.history(player, limit=5, cursor=None))[0]
        assert round_view["status"] == "open"
    finally:
        await platform.close()

    platform = await open_platform(settings)  # recovery runs before traffic
    try:
        recovered = await platform.rounds.view(round_view["round_id"], player)
        assert recovered["status"] == "settled"
        fairness = recovered["fairness"]
        (started, _) = await platform.ledger.store.stream_events(
            round_stream(recovered["round_id"])
        )
        server_seed = await platform.fairness.server_seed(
            json.loads(started.data_json)["fairness"]["pair_id"]
        )
        source = ProvablyFairSource(server_seed, fairness["client_seed"], fairness["nonce"])
        expected = platform.rounds.slots["lotus-20"].play_round(source)
        assert recovered["outcome"]["stops"] == list(expected.stops)
        assert recovered["win"] == expected.settle(100)
        wallet = await platform.wallet.wallet(player)
        assert (wallet.cash, wallet.pending) == (900 + recovered["win"], 0)
        replay = await platform.rounds.play(player, "lotus-20", "spin-crash-1", {"stake": 100})
        assert replay == recovered  # the client's retry gets the recorded round, paid once
        assert (await verify_ledger(platform.ledger.store)).ok
    finally:
        await platform.close()


async def test_the_same_request_twice_at_once_plays_one_round(database_url: str) -> None:
    platform = await open_platform(load_settings({}, database_url=database_url))
    try:
        player = await funded_player(platform, "twice@example.com", 1_000)
        first, second = await asyncio.gather(
            platform.rounds.play(player, "lotus-20", "spin-twice-1", {"stake": 100}),
            platform.rounds.play(player, "lotus-20", "spin-twice-1", {"stake": 100}),
        )
        assert first == second
        wallet = await platform.wallet.wallet(player)
        assert wallet.cash == 1_000 - 100 + first["win"] and wallet.pending == 0
        assert (await verify_ledger(platform.ledger.store)).ok
    finally:
        await platform.close()
