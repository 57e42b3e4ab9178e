"""Blackjack rounds on the ledger with stacked shoes: extra stakes reserved with their
actions, one settlement, concurrent actions, and recovery that never finishes a hand for the
player but does settle a round whose last action was interrupted before its settlement."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import pytest

from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from croupier.domain.errors import IllegalAction, InvalidBet
from croupier.domain.games.blackjack_stacking import StackedRng, stacked_shoe
from croupier.domain.ledger import AppendEvent, Applied, Command
from croupier.domain.ledger.events import StreamConflict
from croupier.services.fairness import Rotation
from croupier.services.ledger import Ledger, verify_ledger
from croupier.services.rounds import RoundInProgress, TableRounds
from croupier.services.stream import player_stream
from tests.support.platform import PASSWORD, funded_player
from tests.support.vault import KEK_ENV

TABLE = "blackjack-6d-s17"
# player 8s, dealer up 6d, player 8h, hole Td; split: 3c to the first eight (11, doubled: Kc),
# 2c to the second (10, doubled: 9h); the dealer's 16 draws Ts and busts.
SPLIT_DOUBLE = ("8s", "6d", "8h", "Td", "3c", "Kc", "2c", "9h", "Ts")
# player 9s Ts (19) against a dealer 6: two hits in a row are possible, the player stands on 19
STAND_19 = ("9s", "6d", "Ts", "Td", "Ks")
# player 2s 3h (5) against a dealer 6: a hit draws 4c (9) and the round stays open
HIT_TO_9 = ("2s", "6d", "3h", "Td", "4c")


class Interrupted(Exception):
    """Stands for the process dying between an action and its settlement."""


def _stacked(fronts: Sequence[Sequence[str]]) -> Any:
    """A replay source dealing ``fronts[nonce]`` on top of a six-deck shoe."""

    def source(server_seed: str, client_seed: str, nonce: int) -> StackedRng:
        return StackedRng(stacked_shoe(6, fronts[nonce]))

    return source


def _deal_from(monkeypatch: pytest.MonkeyPatch, platform: Platform, source: Any) -> None:
    """Deal stacked shoes: the draw at the deal and the recomputation of every later read
    (both are ProvablyFairSource in production) take ``source``."""
    monkeypatch.setattr(platform.rounds, "_replay_source", source)
    monkeypatch.setattr("croupier.services.fairness.service.ProvablyFairSource", source)


async def test_split_and_doubles_reserve_extra_stakes_and_settle_once(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deal_from(monkeypatch, platform, _stacked([SPLIT_DOUBLE]))
    player = await funded_player(platform, "split@example.com")
    view = await platform.rounds.play(player, TABLE, "deal-split-1", {"stake": 100})
    assert view["status"] == "open" and "split" in view["outcome"]["legal_actions"]
    assert view["outcome"]["dealer"]["cards"] == ["6d"]  # the hole card Td stays hidden
    round_id = view["round_id"]

    view = await platform.rounds.act(player, round_id, "act-split-1", "split")
    assert view["stake"] == 200 and view["outcome"]["hands"][0]["cards"] == ["8s", "3c"]
    wallet = await platform.wallet.wallet(player)
    assert (wallet.cash, wallet.pending) == (9_800, 200)
    with pytest.raises(IllegalAction):  # 8-3 cannot split: refused, nothing reserved
        await platform.rounds.act(player, round_id, "act-split-2", "split")
    view = await platform.rounds.act(player, round_id, "act-double-1", "double")
    assert view["stake"] == 300 and view["status"] == "open"
    view = await platform.rounds.act(player, round_id, "act-double-2", "double")

    assert view["status"] == "settled" and view["stake"] == 400
    assert [h["total"] for h in view["outcome"]["hands"]] == [21, 19]
    assert view["outcome"]["dealer"]["cards"] == ["6d", "Td", "Ts"]  # 26: busted
    assert view["win"] == 800 and view["choices"]["actions"] == ["split", "double", "double"]
    wallet = await platform.wallet.wallet(player)
    assert (wallet.cash, wallet.pending) == (10_000 - 400 + 800, 0)
    replay = await platform.rounds.act(player, round_id, "act-double-2", "double")
    assert replay == view  # a recorded key: the view again, paid once
    with pytest.raises(IllegalAction):
        await platform.rounds.act(player, round_id, "act-late-1", "hit")
    assert (await verify_ledger(platform.ledger.store)).ok
    # the player's own stream (the WebSocket `player` channel) heard the round start and end
    notices = await platform.ledger.store.stream_events(player_stream(player.player_id))
    rounds = [json.loads(e.data_json) for e in notices if e.type.startswith("round.")]
    assert [r["round_id"] for r in rounds] == [round_id, round_id]
    assert (rounds[1]["stake"], rounds[1]["win"], rounds[1]["balance_after"]) == (400, 800, 10_400)


async def test_two_actions_at_once_apply_one(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deal_from(monkeypatch, platform, _stacked([STAND_19]))
    player = await funded_player(platform, "race@example.com")
    round_id = (await platform.rounds.play(player, TABLE, "deal-race-1", {"stake": 100}))[
        "round_id"
    ]
    # both actions read the round before either writes: the barrier makes the race certain
    barrier, state = asyncio.Barrier(2), TableRounds._state

    async def read_together(self: TableRounds, recorded: Any) -> Any:
        found = await state(self, recorded)
        if recorded.last_seq == 1:  # the deal only: the two actions' reads
            await barrier.wait()
        return found

    monkeypatch.setattr(TableRounds, "_state", read_together)
    results = await asyncio.gather(
        platform.rounds.act(player, round_id, "act-race-a", "hit"),
        platform.rounds.act(player, round_id, "act-race-b", "hit"),
        return_exceptions=True,
    )
    assert sum(isinstance(r, StreamConflict) for r in results) == 1, results
    view = await platform.rounds.view(round_id, player)
    assert view["choices"]["actions"] == ["hit"] and view["outcome"]["hands"][0]["cards"] == [
        "9s",
        "Ts",
        "Ks",
    ]
    assert view["status"] == "settled" and view["win"] == 0  # 29: busted


def _acts(commands: Sequence[Command]) -> bool:
    return any(isinstance(c, AppendEvent) and c.type == "round.action" for c in commands)


async def test_an_action_is_one_write_whenever_the_process_dies(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deciding action settles in its own write: killed before it, the round is as it
    was and the retry settles it; killed after it, the round is settled already. Recovery
    leaves open rounds to their players."""
    settings = load_settings(KEK_ENV, database_url=database_url)
    source = _stacked([STAND_19, STAND_19, STAND_19])
    platform = await open_platform(settings)
    submit = Ledger.submit

    async def die_before(self: Ledger, commands: Sequence[Command]) -> Applied:
        if _acts(commands):
            raise Interrupted
        return await submit(self, commands)

    async def die_after(self: Ledger, commands: Sequence[Command]) -> Applied:
        applied = await submit(self, commands)
        if _acts(commands):
            raise Interrupted
        return applied

    try:
        _deal_from(monkeypatch, platform, source)
        player = await funded_player(platform, "recover@example.com")
        kept = await platform.rounds.play(player, TABLE, "deal-kept-1", {"stake": 100})
        lost = await platform.rounds.play(player, TABLE, "deal-lost-1", {"stake": 100})
        done = await platform.rounds.play(player, TABLE, "deal-done-1", {"stake": 100})
        for die, dealt in ((die_before, lost), (die_after, done)):
            with monkeypatch.context() as patched:
                patched.setattr(Ledger, "submit", die)
                with pytest.raises(Interrupted):
                    await platform.rounds.act(player, dealt["round_id"], "act-stand-1", "stand")
        assert (await platform.wallet.wallet(player)).pending == 200
    finally:
        await platform.close()

    with monkeypatch.context() as patched:
        patched.setattr("croupier.bootstrap.ProvablyFairSource", source)
        platform = await open_platform(settings)  # recovery runs here
    try:
        _deal_from(monkeypatch, platform, source)
        assert (await platform.rounds.view(kept["round_id"]))["status"] == "open"
        assert (await platform.rounds.view(lost["round_id"]))["status"] == "open"
        settled = await platform.rounds.view(done["round_id"])
        assert settled["status"] == "settled" and settled["win"] == 200  # 19 beats 16+Ks
        retried = await platform.rounds.act(player, lost["round_id"], "act-stand-1", "stand")
        assert retried["status"] == "settled" and retried["win"] == 200
        wallet = await platform.wallet.wallet(player)
        assert (wallet.cash, wallet.pending) == (10_000 - 300 + 400, 100)
        assert (await verify_ledger(platform.ledger.store)).ok
    finally:
        await platform.close()


async def test_a_round_left_alone_is_stood_after_the_idle_timeout(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deal_from(monkeypatch, platform, _stacked([STAND_19]))
    player = await funded_player(platform, "idle@example.com")
    dealt = await platform.rounds.play(player, TABLE, "deal-idle-1", {"stake": 100})
    assert dealt["status"] == "open"
    soon = dealt["started_at_ms"] + 1_000
    assert await platform.rounds.stand_idle_blackjack(now_ms=soon, idle_ms=60_000) == 0
    later = dealt["started_at_ms"] + 60_000
    assert await platform.rounds.stand_idle_blackjack(now_ms=later, idle_ms=60_000) == 1
    stood = await platform.rounds.view(dealt["round_id"])
    assert stood["status"] == "settled" and stood["choices"]["actions"] == ["stand"]
    assert stood["win"] == 200  # the player's 19 beats the dealer's 16 + K
    wallet = await platform.wallet.wallet(player)
    assert (wallet.cash, wallet.pending) == (10_000 + 100, 0)
    assert (await verify_ledger(platform.ledger.store)).ok


async def test_the_seed_pair_is_not_revealed_under_an_open_round(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The revealed server seed gives the hole card and the whole shoe: no rotation while a
    round is open, and no player decision on a round whose seed a race revealed."""
    _deal_from(monkeypatch, platform, _stacked([STAND_19, STAND_19]))
    player = await funded_player(platform, "peek@example.com")
    dealt = await platform.rounds.play(player, TABLE, "deal-peek-1", {"stake": 100})
    with pytest.raises(RoundInProgress):
        await platform.rounds.rotate_seeds(player)
    await platform.rounds.act(player, dealt["round_id"], "act-peek-1", "stand")
    await platform.rounds.rotate_seeds(player)  # nothing open: fine

    # A rotation that lands while a deal is in flight (after its nonce, before its
    # reservation) is not refused; the round it leaves open must not be played on.
    raced = await platform.rounds.play(player, TABLE, "deal-peek-2", {"stake": 100})
    await platform.fairness.rotate(player)
    with pytest.raises(IllegalAction, match="revealed"):
        await platform.rounds.act(player, raced["round_id"], "act-peek-2", "hit")
    later = raced["started_at_ms"] + 60_000
    assert await platform.rounds.stand_idle_blackjack(now_ms=later, idle_ms=60_000) == 1
    stood = await platform.rounds.view(raced["round_id"])
    assert stood["status"] == "settled" and stood["choices"]["actions"] == ["stand"]


class RotationAfterTheDraw:
    """The platform's fairness service, with the player asking for a rotation right after a
    round has drawn its nonce and before it commits: where the race of issue 11 hit. In one
    process a rotation waits for the player's round; this one comes from another process
    (another gateway), which nothing serialises with the round but the ledger's guards."""

    def __init__(self, platform: Platform) -> None:
        self.inner = platform.rounds.fairness
        self.rotations: list[Rotation] = []

    async def draw(self, player: Any) -> Any:
        fair = await self.inner.draw(player)
        if not self.rotations:
            self.rotations.append(await self.inner.rotate(player))
        return fair

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def test_a_rotation_racing_a_deal_moves_the_deal_to_the_new_pair(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rotation wins (nothing was reserved yet), so the deal's claim on the old pair
    fails and it is dealt again from the new one: never from a seed the player knows."""
    _deal_from(monkeypatch, platform, _stacked([STAND_19, STAND_19]))
    player = await funded_player(platform, "race-rotate@example.com")
    racing = RotationAfterTheDraw(platform)
    monkeypatch.setattr(platform.rounds, "fairness", racing)
    dealt = await platform.rounds.play(player, TABLE, "deal-race-1", {"stake": 100})
    (rotation,) = racing.rotations
    assert dealt["fairness"]["server_seed_hash"] == rotation.current.pair.server_seed_hash
    assert rotation.revealed.pair.nonce == 0  # the old pair played nothing
    stood = await platform.rounds.act(player, dealt["round_id"], "act-race-1", "stand")
    assert stood["status"] == "settled" and stood["win"] == 200
    with pytest.raises(RoundInProgress):  # and a rotation under an open deal is refused
        await platform.rounds.play(player, TABLE, "deal-race-2", {"stake": 100})
        await platform.rounds.rotate_seeds(player)
    wallet = await platform.wallet.wallet(player)
    assert wallet.pending == 100
    assert (await verify_ledger(platform.ledger.store)).ok


class AnswerLost:
    """The round's ledger, with the first answer to every action's write lost: the group is
    applied, then sent again with the same ids, as a gateway retries across a writer
    failover. The retry finds it applied (a replay, or its event's seq taken)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def submit(self, group: Sequence[Command]) -> Applied:
        if any(isinstance(c, AppendEvent) and c.type == "round.action" for c in group):
            await self.inner.submit(group)
        return await self.inner.submit(group)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize(
    ("action", "front"),
    [("hit", HIT_TO_9), ("double", STAND_19)],  # an event alone; a reservation and a payout
)
async def test_an_action_whose_answer_was_lost_counts_once(
    platform: Platform, monkeypatch: pytest.MonkeyPatch, action: str, front: Sequence[str]
) -> None:
    _deal_from(monkeypatch, platform, _stacked([front]))
    player = await funded_player(platform, f"lost-{action}@example.com")
    dealt = await platform.rounds.play(player, TABLE, f"deal-lost-{action}", {"stake": 100})
    monkeypatch.setattr(platform.rounds.tables, "ledger", AnswerLost(platform.rounds.tables.ledger))
    view = await platform.rounds.act(player, dealt["round_id"], f"act-lost-{action}", action)
    assert view["choices"]["actions"] == [action]
    staked = 200 if action == "double" else 100  # the double's extra stake reserved once
    assert view["stake"] == staked
    settled = view["status"] == "settled"
    assert settled == (action == "double")
    wallet = await platform.wallet.wallet(player)
    assert wallet.cash == 10_000 - staked + (view["win"] if settled else 0)
    assert wallet.pending == (0 if settled else staked)
    assert (await verify_ledger(platform.ledger.store)).ok


async def test_a_player_key_cannot_take_the_tables_own_actions(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An action key looking like the idle sweeper's must not pass for its stand later."""
    _deal_from(monkeypatch, platform, _stacked([SPLIT_DOUBLE]))
    player = await funded_player(platform, "mimic@example.com")
    dealt = await platform.rounds.play(player, TABLE, "deal-mimic-1", {"stake": 100})
    # The round's second event, under the key the sweeper once used for its next action.
    split = await platform.rounds.act(player, dealt["round_id"], "auto-stand-2", "split")
    assert split["status"] == "open"
    later = split["started_at_ms"] + 120_000  # a minute after the split, too
    finished = platform.rounds.stand_idle_blackjack(now_ms=later, idle_ms=60_000)
    assert await asyncio.wait_for(finished, 10) == 1
    stood = await platform.rounds.view(dealt["round_id"])
    assert stood["status"] == "settled"
    assert stood["choices"]["actions"] == ["split", "stand", "stand"]


async def test_a_table_plays_only_in_its_own_currency(platform: Platform) -> None:
    await platform.accounts.register(
        email="dinar@example.com",
        password=PASSWORD,
        date_of_birth="1990-01-01",
        country="MT",
        currency="KWD",
    )
    login = await platform.accounts.login(
        email="dinar@example.com", password=PASSWORD, ip="1.2.3.4"
    )
    with pytest.raises(InvalidBet, match="EUR"):
        await platform.rounds.play(login.player, TABLE, "deal-kwd-1", {"stake": 500})
