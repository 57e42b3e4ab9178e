"""Account control, game switches, jackpot pools and stuck rounds, on both engines.

A frozen player cannot play, act, deposit or withdraw, and their sessions end at once; their
balance stays; unfreezing restores play; a closed account stays closed. A disabled game
refuses new rounds while an open one finishes. Pool adjustments and forced settlements are
ledger transfers like any other: audited, and the ledger verifies after each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from croupier.bootstrap import Platform
from croupier.domain.accounts import AuthenticationFailed
from croupier.domain.errors import (
    AccountNotFound,
    AccountRestricted,
    Forbidden,
    GameDisabled,
    InsufficientFunds,
    InvalidInput,
    StateConflict,
    UnknownGame,
)
from croupier.domain.games.blackjack_stacking import StackedRng, stacked_shoe
from croupier.domain.ledger import Transfer
from croupier.services.backoffice import PlayerStatus
from tests.support.operations import (
    ALICE,
    IP,
    assert_ledger_verifies,
    audit_lines,
    backoffice,
    watch_audit,
)
from tests.support.platform import PASSWORD, funded_player

TABLE = "blackjack-6d-s17"
# player 9s Ts (19) against a dealer 6: the round stays open for the player's decision
STAND_19 = ("9s", "6d", "Ts", "Td", "Ks")


def _deal(monkeypatch: pytest.MonkeyPatch, platform: Platform, front: Sequence[str]) -> None:
    """Deal a stacked shoe at the deal and at every recomputation of the round."""

    def source(server_seed: str, client_seed: str, nonce: int) -> Any:
        return StackedRng(stacked_shoe(6, front))

    monkeypatch.setattr(platform.rounds, "_replay_source", source)
    monkeypatch.setattr("croupier.services.fairness.service.ProvablyFairSource", source)


async def test_a_frozen_player_keeps_the_balance_but_cannot_play_or_pay(
    platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    watch_audit(caplog)
    player = await funded_player(platform, "frozen@example.com", 50_00)
    session = await platform.accounts.login(email=player.email, password=PASSWORD, ip="9.9.9.9")
    before = await platform.wallet.wallet(player)
    control = await backoffice(platform).accounts.freeze(
        player.player_id, actor=ALICE, source_ip=IP, reason="fraud investigation"
    )
    assert control.status is PlayerStatus.FROZEN
    with pytest.raises(AuthenticationFailed):  # every session ended at once
        await platform.accounts.authenticate(session.token)
    with pytest.raises(AccountRestricted):
        await platform.rounds.play(player, "lotus-20", "frozen-spin-1", {"stake": 100})
    with pytest.raises(AccountRestricted):
        await platform.wallet.withdraw(player, "frozen-withdraw", 10_00)
    with pytest.raises(AccountRestricted):
        await platform.wallet.deposit(player, "frozen-deposit", 10_00)
    assert await platform.wallet.wallet(player) == before  # balance kept
    frozen = [e for e in audit_lines(caplog) if e["action"] == "account.frozen"]
    assert frozen[0]["before"]["status"] == "active" and frozen[0]["after"]["status"] == "frozen"
    # The sessions ended through the players' one revocation path (store, push to every
    # gateway, audit), in the name of the staff member who froze the account.
    revoked = [e for e in audit_lines(caplog) if e["action"] == "player.session.revoked"]
    assert [(e["actor"], e["source_ip"], e["after"]) for e in revoked] == [
        (ALICE, IP, {"sessions": 2})  # funded_player's login, and the one above
    ]

    await backoffice(platform).accounts.unfreeze(
        player.player_id, actor=ALICE, source_ip=IP, reason="cleared"
    )
    played = await platform.rounds.play(player, "lotus-20", "thawed-spin-1", {"stake": 100})
    assert played["status"] == "settled"
    await assert_ledger_verifies(platform)


async def test_a_frozen_player_cannot_act_on_an_open_round(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deal(monkeypatch, platform, STAND_19)
    player = await funded_player(platform, "midround@example.com", 50_00)
    round_id = (await platform.rounds.play(player, TABLE, "deal-frozen-1", {"stake": 100}))[
        "round_id"
    ]
    await backoffice(platform).accounts.freeze(
        player.player_id, actor=ALICE, source_ip=IP, reason="investigation"
    )
    with pytest.raises(AccountRestricted):
        await platform.rounds.act(player, round_id, "act-frozen-1", "stand")
    # staff can still end it, through recovery: the stake is never left reserved
    view = await backoffice(platform).rounds.force_settle(
        round_id, actor=ALICE, source_ip=IP, reason="frozen mid-round"
    )
    assert view["status"] == "settled"
    assert (await platform.wallet.wallet(player)).pending == 0
    await assert_ledger_verifies(platform)


async def test_a_closed_account_is_closed_for_good(platform: Platform) -> None:
    player = await funded_player(platform, "closed@example.com", 20_00)
    accounts = backoffice(platform).accounts
    await accounts.close(player.player_id, actor=ALICE, source_ip=IP, reason="player asked")
    for change in (accounts.unfreeze, accounts.freeze, accounts.close):
        with pytest.raises(StateConflict):
            await change(player.player_id, actor=ALICE, source_ip=IP, reason="reopen")
    with pytest.raises(AccountRestricted):
        await platform.rounds.play(player, "lotus-20", "closed-spin-1", {"stake": 100})
    assert (await accounts.control(player.player_id)).status is PlayerStatus.CLOSED
    assert (await platform.wallet.wallet(player)).cash == 20_00
    # a new login still works (the player may see their balance), but not play
    again = await platform.accounts.login(email=player.email, password=PASSWORD, ip="1.1.1.1")
    with pytest.raises(AccountRestricted):
        await platform.wallet.withdraw(again.player, "closed-withdraw", 1_00)


async def test_control_refuses_non_staff_and_missing_reasons(platform: Platform) -> None:
    player = await funded_player(platform, "refuse@example.com", 1_00)
    accounts = backoffice(platform).accounts
    with pytest.raises(Forbidden):
        await accounts.freeze(player.player_id, actor="system", source_ip=IP, reason="x")
    with pytest.raises(InvalidInput):
        await accounts.freeze(player.player_id, actor=ALICE, source_ip=IP, reason="")
    with pytest.raises(InvalidInput):
        await accounts.set_flags(
            player.player_id, ["teapot"], actor=ALICE, source_ip=IP, reason="x"
        )
    assert (await accounts.control(player.player_id)).status is PlayerStatus.ACTIVE


async def test_a_disabled_game_refuses_new_rounds_and_open_ones_finish(
    platform: Platform, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    watch_audit(caplog)
    _deal(monkeypatch, platform, STAND_19)
    player = await funded_player(platform, "switch@example.com", 50_00)
    open_round = await platform.rounds.play(player, TABLE, "deal-before-off", {"stake": 100})
    games = backoffice(platform).games
    await games.disable(TABLE, actor=ALICE, source_ip=IP, reason="dealer bug")
    await games.disable("lotus-20", actor=ALICE, source_ip=IP, reason="maintenance")
    with pytest.raises(GameDisabled):
        await platform.rounds.play(player, TABLE, "deal-after-off", {"stake": 100})
    with pytest.raises(GameDisabled):
        await platform.rounds.play(player, "lotus-20", "spin-after-off", {"stake": 100})
    finished = await platform.rounds.act(player, open_round["round_id"], "stand-1", "stand")
    assert finished["status"] == "settled"
    assert {g.game_id: g.enabled for g in await games.games()}[TABLE] is False
    monkeypatch.undo()  # the slot below draws from the real source
    await games.enable("lotus-20", actor=ALICE, source_ip=IP, reason="fixed")
    played = await platform.rounds.play(player, "lotus-20", "spin-after-on", {"stake": 100})
    assert played["status"] == "settled"
    with pytest.raises(UnknownGame):
        await games.disable("no-such-game", actor=ALICE, source_ip=IP, reason="x")
    actions = [e["action"] for e in audit_lines(caplog)]
    assert actions.count("game.disabled") == 2 and actions.count("game.enabled") == 1
    await assert_ledger_verifies(platform)


async def test_jackpot_pools_are_adjusted_through_the_ledger(
    platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    watch_audit(caplog)
    player = await funded_player(platform, "pool@example.com", 50_00)
    await platform.rounds.play(player, "lotus-20", "seed-the-pool", {"stake": 100})
    jackpots = backoffice(platform).jackpots
    (pool,) = [p for p in await jackpots.current() if p["game_id"] == "lotus-20"]
    start = pool["amount"]
    assert isinstance(start, int)

    async def adjust(request_id: str, delta_minor: int, game_id: str = "lotus-20") -> Transfer:
        return await jackpots.adjust(
            request_id=request_id,
            game_id=game_id,
            currency="EUR",
            delta_minor=delta_minor,
            actor=ALICE,
            source_ip=IP,
            reason="pool correction",
        )

    raised = await adjust("pool-raise-1", 500_00)
    replay = await adjust("pool-raise-1", 500_00)
    assert raised.id == replay.id
    await adjust("pool-lower-1", -100_00)
    (pool,) = [p for p in await jackpots.current() if p["game_id"] == "lotus-20"]
    assert pool["amount"] == start + 400_00
    with pytest.raises(InsufficientFunds):  # a pool never goes below zero
        await adjust("pool-drain-1", -(start + 400_01))
    with pytest.raises(AccountNotFound):
        await adjust("pool-none-1", 1, game_id="nope")
    adjusted = [e for e in audit_lines(caplog) if e["action"] == "jackpot.adjusted"]
    assert len(adjusted) == 2  # the replay is not a second action
    assert adjusted[0]["after"]["amount_minor"] - adjusted[0]["before"]["amount_minor"] == 500_00
    await assert_ledger_verifies(platform)
