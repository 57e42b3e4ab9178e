"""A round stored in the compact record (``round.played`` version 2) is recalled, replayed
and verified as before, on both backends; and a ledger holding rounds written by the version
before (``round.played`` 1, claims naming their round) is still read and verified."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

import pytest

from croupier.bootstrap import Platform
from croupier.domain.accounts.player import Player
from croupier.domain.errors import IdempotencyConflict
from croupier.domain.events import pair_stream, reveal_stream, round_stream
from croupier.domain.fairness import server_seed_hash
from croupier.domain.ledger import AppendEvent, Command
from croupier.services.jackpots import house_account
from croupier.services.ledger import verify_ledger
from croupier.services.ledger.bets import instant_bet
from croupier.services.rounds.notices import settled_fills, settled_notice, started_notice
from croupier.services.rounds.opening import RoundOpening
from tests.support.platform import funded_player
from tests.support.records import round_played_v1

RED = {"bets": [{"type": "red", "stake": 100}]}


async def _stored(platform: Platform, round_id: str) -> dict[str, Any]:
    (event,) = await platform.ledger.stream_events(round_stream(round_id), limit=2)
    data: dict[str, Any] = json.loads(event.data_json)
    return data


async def test_compact_rounds_are_recalled_replayed_and_verified(platform: Platform) -> None:
    player = await funded_player(platform, "compact@example.com", 100_000)
    commitment = (await platform.fairness.current(player)).server_seed_hash
    slot = await platform.rounds.play(player, "lotus-20", "compact-0001", {"stake": 100})
    wheel = await platform.rounds.play(player, "european-roulette", "compact-0002", RED)
    for view in (slot, wheel):
        assert view["fairness"]["server_seed_hash"] == commitment
        stored = await _stored(platform, view["round_id"])
        assert "round_id" not in stored and "server_seed_hash" not in stored["f"]
    # the slot's fingerprint is derived, the roulette bet's stored (its numbers filled in)
    assert "rf" not in await _stored(platform, slot["round_id"])
    assert "rf" in await _stored(platform, wheel["round_id"])
    again = await platform.rounds.play(player, "lotus-20", "compact-0001", {"stake": 100})
    assert again == slot == await platform.rounds.view(slot["round_id"], player)
    assert await platform.rounds.play(player, "european-roulette", "compact-0002", RED) == wheel
    with pytest.raises(IdempotencyConflict):
        await platform.rounds.play(player, "lotus-20", "compact-0001", {"stake": 200})
    with pytest.raises(IdempotencyConflict):
        await platform.rounds.play(
            player, "european-roulette", "compact-0002", {"bets": [{"type": "odd", "stake": 100}]}
        )
    page, _ = await platform.rounds.history(player, limit=10, cursor=None)
    assert page == [wheel, slot]
    await platform.rounds.rotate_seeds(player)
    revealed = await platform.rounds.view(slot["round_id"], player)
    seed = revealed["fairness"]["server_seed"]
    assert seed is not None and server_seed_hash(seed) == commitment
    assert {**revealed, "fairness": slot["fairness"]} == slot
    assert (await verify_ledger(platform.ledger.store)).ok


async def _play_as_version_1(platform: Platform, player: Player, key: str) -> str:
    """A slot round written as the version before wrote it: ``round.played`` 1 (round id,
    server seed hash and fingerprint in its data) and a nonce claim naming its round."""
    request = {"stake": 100}
    fingerprint = hashlib.sha256(
        json.dumps(["lotus-20", request], sort_keys=True).encode()
    ).hexdigest()
    round_id = "r" + hashlib.sha256(f"{player.player_id}:{key}".encode()).hexdigest()[:24]
    game = platform.rounds.games["lotus-20"]
    bet = game.parse_bet(request, "EUR")
    fair = await platform.fairness.draw(player)
    opening = RoundOpening(
        round_id, player.player_id, "lotus-20", game.version, "EUR", bet, fingerprint
    )
    outcome = game.play(bet, fair.source)
    played = opening.played(fair, outcome)
    v1 = dataclasses.replace(
        played,
        request_fingerprint=fingerprint,
        fairness=dataclasses.replace(played.fairness, server_seed_hash=fair.server_seed_hash),
    )
    data = round_played_v1(v1)
    fills = settled_fills(v1, jackpot_hit=False)
    group: list[Command] = [
        *platform.rounds.jackpots.open_house("EUR"),
        AppendEvent.create(
            pair_stream(fair.pair_id),
            "nonce.used",
            {"round_id": round_id},
            expected_seq=fair.nonce,
            guard=(reveal_stream(fair.pair_id), 0),
        ),
        *instant_bet(
            round_id,
            player_account=player.cash_account_id,
            house_account=house_account("EUR"),
            jackpot_account=None,
            currency="EUR",
            stake_minor=v1.stake,
            win_minor=v1.win,
        ),
        AppendEvent.create(round_stream(round_id), "round.played", data, **fills),
        started_notice(player.player_id, round_id),
        settled_notice(v1, stake=v1.stake, win=v1.win),
    ]
    await platform.ledger.submit(group)
    return round_id


async def test_a_ledger_of_the_version_before_is_read_and_verified(platform: Platform) -> None:
    player = await funded_player(platform, "older@example.com", 100_000)
    commitment = (await platform.fairness.current(player)).server_seed_hash
    old_id = await _play_as_version_1(platform, player, "older-0001")
    new = await platform.rounds.play(player, "lotus-20", "older-0002", {"stake": 100})
    old = await platform.rounds.view(old_id, player)
    assert old["status"] == "settled" and old["fairness"]["server_seed_hash"] == commitment
    assert (old["fairness"]["nonce"], new["fairness"]["nonce"]) == (0, 1)
    assert await platform.rounds.play(player, "lotus-20", "older-0001", {"stake": 100}) == old
    with pytest.raises(IdempotencyConflict):
        await platform.rounds.play(player, "lotus-20", "older-0001", {"stake": 300})
    page, _ = await platform.rounds.history(player, limit=10, cursor=None)
    assert page == [new, old]
    assert (await verify_ledger(platform.ledger.store)).ok
