"""An instant round is one write: interrupted before it, it leaves no trace and used no
nonce; interrupted after it (before the answer), the client's retry gets the recorded round,
the same outcome a player recomputes, paid once. Nothing is left for recovery either way."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from croupier.bootstrap import open_platform
from croupier.config import load_settings
from croupier.domain.fairness import ProvablyFairSource
from croupier.domain.ledger import AppendEvent, Applied, Command
from croupier.services.ledger import Ledger, verify_ledger
from tests.support.platform import funded_player
from tests.support.vault import KEK_ENV


class Interrupted(Exception):
    """Stands for the process dying around the round's one write."""


def _records_a_round(commands: Sequence[Command]) -> bool:
    return any(isinstance(c, AppendEvent) and c.stream.startswith("round:") for c in commands)


async def test_a_round_interrupted_before_its_write_leaves_no_trace(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(KEK_ENV, database_url=database_url)
    platform = await open_platform(settings)
    try:
        player = await funded_player(platform, "before@example.com", 1_000)
        head_before = await platform.ledger.store.stream_head("lobby")

        submit = Ledger.submit

        async def die(self: Ledger, commands: Sequence[Command]) -> Applied:
            if _records_a_round(commands):
                raise Interrupted
            return await submit(self, commands)

        with monkeypatch.context() as patched:
            patched.setattr(Ledger, "submit", die)
            with pytest.raises(Interrupted):
                await platform.rounds.play(player, "lotus-20", "spin-lost-1", {"stake": 100})
    finally:
        await platform.close()

    platform = await open_platform(settings)  # recovery has nothing to finish
    try:
        wallet = await platform.wallet.wallet(player)
        assert (wallet.cash, wallet.pending) == (1_000, 0)
        assert (await platform.rounds.history(player, limit=5, cursor=None))[0] == []
        assert await platform.ledger.store.stream_head("lobby") == head_before
        played = await platform.rounds.play(player, "lotus-20", "spin-lost-1", {"stake": 100})
        assert played["fairness"]["nonce"] == 0  # the lost attempt used no nonce
        assert (await verify_ledger(platform.ledger.store)).ok
    finally:
        await platform.close()


async def test_a_round_interrupted_after_its_write_is_answered_on_retry(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(KEK_ENV, database_url=database_url)
    platform = await open_platform(settings)
    try:
        player = await funded_player(platform, "after@example.com", 1_000)
        submit = Ledger.submit

        async def commit_then_die(self: Ledger, commands: Sequence[Command]) -> Applied:
            applied = await submit(self, commands)
            if _records_a_round(commands):
                raise Interrupted
            return applied

        with monkeypatch.context() as patched:
            patched.setattr(Ledger, "submit", commit_then_die)
            with pytest.raises(Interrupted):
                await platform.rounds.play(player, "lotus-20", "spin-kept-1", {"stake": 100})
    finally:
        await platform.close()

    platform = await open_platform(settings)
    try:
        (recorded,), _ = await platform.rounds.history(player, limit=5, cursor=None)
        assert recorded["status"] == "settled"
        replay = await platform.rounds.play(player, "lotus-20", "spin-kept-1", {"stake": 100})
        assert replay == recorded  # the client's retry gets the recorded round, paid once
        fairness = recorded["fairness"]
        pair = await platform.fairness.store.active(player.player_id)
        assert pair is not None and pair.pair.server_seed_hash == fairness["server_seed_hash"]
        source = ProvablyFairSource(
            pair.pair.server_seed, fairness["client_seed"], fairness["nonce"]
        )
        expected = platform.rounds.games["lotus-20"].play(
            platform.rounds.games["lotus-20"].parse_bet({"stake": 100}, "EUR"), source
        )
        assert (recorded["outcome"], recorded["win"]) == (expected.shown, expected.win_minor)
        wallet = await platform.wallet.wallet(player)
        assert (wallet.cash, wallet.pending) == (900 + recorded["win"], 0)
        assert recorded["balance_before"] == 1_000
        assert (await verify_ledger(platform.ledger.store)).ok
    finally:
        await platform.close()


async def test_the_same_request_twice_at_once_plays_one_round(database_url: str) -> None:
    platform = await open_platform(load_settings(KEK_ENV, database_url=database_url))
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
