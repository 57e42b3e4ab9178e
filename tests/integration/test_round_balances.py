"""What a round says the player's balance is after it: the ledger's own figure at the moment
the round's settlement was applied, even while other rounds of the same player run."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

import pytest

from croupier.bootstrap import open_platform
from croupier.config import load_settings
from croupier.domain.errors import IdempotencyConflict, InsufficientFunds
from croupier.domain.ledger import Applied, Command
from croupier.services.rounds.notices import ROUND_OPENED
from croupier.services.stream.channels import player_stream
from tests.support.platform import funded_player
from tests.support.vault import KEK_ENV


async def test_concurrent_rounds_report_the_balances_the_ledger_had(database_url: str) -> None:
    platform = await open_platform(load_settings(KEK_ENV, database_url=database_url))
    try:
        player = await funded_player(platform, "busy@example.com", 100_000)
        await asyncio.gather(
            *(
                platform.rounds.play(player, "lotus-20", f"spin-{i:03d}", {"stake": 1_000})
                for i in range(24)
            )
        )
        stream = await platform.ledger.store.stream_events(player_stream(player.player_id))
        notices = [json.loads(e.data_json) for e in stream if e.type == "round.settled"]
        assert len(notices) == 24
        # Replay the stream: deposits and reservations move the available cash, each
        # settlement returns its win; each notice must match the running figure at its place.
        available = 0
        for event in stream:
            data = json.loads(event.data_json)
            if event.type == "balance.changed":
                available += data["delta"]
                assert data["balance_after"] == available
            elif event.type == ROUND_OPENED:
                available -= 1_000
            elif event.type == "round.settled":
                available += data["win"] + data.get("jackpot_win", 0)
                assert data["balance_after"] == available, data
        wallet = await platform.wallet.wallet(player)
        assert wallet.cash == available == notices[-1]["balance_after"]
        view = await platform.rounds.view(notices[-1]["round_id"], player)
        assert view["balance_after"] == available
    finally:
        await platform.close()


async def test_one_key_racing_with_two_bets_plays_one_and_refuses_the_other(
    database_url: str,
) -> None:
    """The same Idempotency-Key on two different bets at once: one round is played; the other
    request is a conflict, never told that the first one's round is its own."""
    platform = await open_platform(load_settings(KEK_ENV, database_url=database_url))
    try:
        player = await funded_player(platform, "twice@example.com", 100_000)
        red = {"bets": [{"type": "red", "stake": 100}]}
        straight = {"bets": [{"type": "straight", "numbers": [17], "stake": 100}]}
        answers = await asyncio.gather(
            platform.rounds.play(player, "european-roulette", "one-key-0001", red),
            platform.rounds.play(player, "european-roulette", "one-key-0001", straight),
            return_exceptions=True,
        )
        played = [a for a in answers if isinstance(a, dict)]
        refused = [a for a in answers if isinstance(a, IdempotencyConflict)]
        assert len(played) == 1 and len(refused) == 1, answers
        wallet = await platform.wallet.wallet(player)
        assert wallet.pending == 0 and wallet.cash == 100_000 - 100 + played[0]["win"]
    finally:
        await platform.close()


async def test_a_round_refused_for_funds_uses_no_nonce(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nonces run 0, 1, 2 … over the rounds that exist: a refused round leaves no gap."""
    platform = await open_platform(load_settings(KEK_ENV, database_url=database_url))
    try:
        player = await funded_player(platform, "short@example.com", 150)
        first = await platform.rounds.play(player, "lotus-20", "spin-short-1", {"stake": 100})
        with pytest.raises(InsufficientFunds):
            await platform.rounds.play(player, "lotus-20", "spin-short-2", {"stake": 5_000})
        submit, writes = platform.ledger.submit, []

        async def counted(commands: Sequence[Command]) -> Applied:
            writes.append(commands)
            return await submit(commands)

        monkeypatch.setattr(platform.ledger, "submit", counted)
        second = await platform.rounds.play(player, "lotus-20", "spin-short-3", {"stake": 20})
        assert (first["fairness"]["nonce"], second["fairness"]["nonce"]) == (0, 1)
        assert len(writes) == 1  # the refused round's nonce was handed out again: no retry
    finally:
        await platform.close()
