"""The bonus engine through real rounds on both databases (docs/bonuses.md): a no-deposit
bonus spent and wagered on slots, converted once; a deposit match; the max bet; a
withdrawal's forfeiture warning; the ledger verifies after each."""

from __future__ import annotations

import asyncio
import json

import pytest

from croupier.bootstrap import Platform
from croupier.domain.accounts.player import Player
from croupier.domain.bonus import parse_offer
from croupier.domain.errors import (
    BonusForfeitRequired,
    BonusMaxBet,
    BonusNotAvailable,
    InsufficientFunds,
)
from croupier.services.bonus.ledger_ops import bonus_stream, promotions_account
from croupier.services.ledger import verify_ledger
from croupier.services.stream import player_stream
from tests.support.platform import PASSWORD, funded_player

pytestmark = pytest.mark.timeout(180)

NO_DEPOSIT = {
    "name": "Free ten",
    "kind": "no-deposit",
    "currency": "EUR",
    "amount_minor": 1_000,
    "wagering_multiple": 3,
    "max_bet_minor": 200,
}
MATCH = {
    "name": "Welcome match",
    "kind": "deposit-match",
    "currency": "EUR",
    "match_percent": 50,
    "match_cap_minor": 2_000,
    "wagering_multiple": 2,
    "wagering_base": "bonus+deposit",
}


async def _offer(platform: Platform, offer_id: str, definition: dict[str, object]) -> None:
    assert platform.bonus is not None
    await platform.bonus.service.offers.define(parse_offer({**definition, "offer_id": offer_id}))


async def _unfunded(platform: Platform, email: str) -> Player:
    await platform.accounts.register(
        email=email, password=PASSWORD, date_of_birth="1990-01-01", country="MT", currency="EUR"
    )
    return (await platform.accounts.login(email=email, password=PASSWORD, ip="1.2.3.4")).player


async def _balances(platform: Platform, player: Player) -> tuple[int, int]:
    wallet = await platform.wallet.wallet(player)
    return wallet.cash, wallet.bonus


async def _house_side(platform: Platform) -> int:
    """Everything not the players': the house, its promotions, jackpot pools (posted)."""
    total = 0
    for account, balance in await platform.ledger.store.all_accounts():
        if account.kind.value in ("house_bankroll", "promotions", "jackpot_pool"):
            total += balance.posted
    return total


async def test_a_no_deposit_bonus_is_spent_after_cash_and_converts_once(
    platform: Platform,
) -> None:
    assert platform.bonus is not None
    service = platform.bonus.service
    await _offer(platform, "free-ten", NO_DEPOSIT)
    player = await _unfunded(platform, "nodep@example.com")
    offered = await service.overview(player)
    assert [offer["offer_id"] for offer in offered["offers"]] == ["free-ten"]
    claimed = await service.claim(player, "free-ten")
    assert claimed["offers"] == [] and claimed["active"][0]["amount"] == 1_000
    assert claimed["active"][0]["requirement"] == 3_000
    assert await _balances(platform, player) == (0, 1_000)
    with pytest.raises(BonusNotAvailable):  # once per player
        await service.claim(player, "free-ten")
    with pytest.raises(BonusMaxBet):  # above the max bet: refused, nothing moved
        await platform.rounds.play(player, "lotus-20", "too-big-1", {"stake": 300})
    assert await _balances(platform, player) == (0, 1_000)
    before = await _house_side(platform) + sum(await _balances(platform, player))
    spins = 0
    while (await service.states.read(player.player_id)).active is not None and spins < 200:
        cash, bonus = await _balances(platform, player)
        stake = min(200, (cash + bonus) // 20 * 20)  # lotus-20: whole line bets
        if not stake:  # too little left to stake: the player gives it up
            await service.forfeit(player)
            break
        played = await platform.rounds.play(
            player, "lotus-20", f"spin-{spins:04d}", {"stake": stake}
        )
        spins += 1
        after_cash, after_bonus = await _balances(platform, player)
        assert after_cash >= 0 and after_bonus >= 0
        assert played["win"] >= 0
        # what the players hold and the house side together never change
        assert await _house_side(platform) + after_cash + after_bonus == before
    state = await service.states.read(player.player_id)
    assert state.active is None and len(state.ended) == 1
    outcome = state.ended[0][1]
    assert outcome in ("converted", "lost", "forfeited")
    assert (await platform.wallet.wallet(player)).bonus == 0
    notices = await platform.ledger.stream_events(player_stream(player.player_id), limit=1000)
    kinds = [event.type for event in notices if event.type.startswith("bonus.")]
    assert kinds[0] == "bonus.granted" and kinds[-1] == f"bonus.{outcome}"
    assert kinds.count(f"bonus.{outcome}") == 1
    # ending again is a no-op: once only
    await service.settle(player)
    assert len((await service.states.read(player.player_id)).ended) == 1
    assert (await verify_ledger(platform.ledger.store)).ok


async def test_bonus_funds_pay_what_cash_cannot_and_the_win_splits(platform: Platform) -> None:
    assert platform.bonus is not None
    service = platform.bonus.service
    await _offer(platform, "free-ten", {**NO_DEPOSIT, "wagering_multiple": 50})
    player = await _unfunded(platform, "split@example.com")
    await platform.wallet.deposit(player, "deposit-split-1", 50)
    await service.claim(player, "free-ten")
    played = await platform.rounds.play(player, "lotus-20", "split-spin-1", {"stake": 200})
    round_id = played["round_id"]
    taken = await platform.ledger.transfer_by_id(f"{round_id}:bonus-stake")
    assert taken is not None and taken.amount_minor == 150  # 50 from cash, 150 from bonus
    won = await platform.ledger.transfer_by_id(f"{round_id}:bonus-win")
    expected_bonus_win = played["win"] * 150 // 200
    assert (won.amount_minor if won else 0) == expected_bonus_win
    cash, bonus = await _balances(platform, player)
    assert (cash, bonus) == (played["win"] - expected_bonus_win, 850 + expected_bonus_win)
    progress = (await service.overview(player))["active"][0]
    assert progress["wagered"] == 200 and progress["remaining"] == 50_000 - 200
    assert (await verify_ledger(platform.ledger.store)).ok


async def test_a_withdrawal_warns_then_forfeits_the_bonus(platform: Platform) -> None:
    assert platform.bonus is not None
    service = platform.bonus.service
    await _offer(platform, "free-ten", NO_DEPOSIT)
    player = await funded_player(platform, "forfeit@example.com", 5_000)
    await service.claim(player, "free-ten")
    with pytest.raises(BonusForfeitRequired) as warned:
        await platform.wallet.withdraw(player, "withdraw-forfeit-1", 1_000)
    assert warned.value.problem_extra["forfeit_amount"] == 1_000
    assert await _balances(platform, player) == (5_000, 1_000)  # nothing changed
    with pytest.raises(InsufficientFunds):  # a withdrawal refused forfeits nothing
        await platform.wallet.withdraw(player, "withdraw-forfeit-0", 9_000, forfeit_bonus=True)
    assert await _balances(platform, player) == (5_000, 1_000)
    promotions_before = (await platform.ledger.balance(promotions_account("EUR")))[1].posted
    await platform.wallet.withdraw(player, "withdraw-forfeit-1", 1_000, forfeit_bonus=True)
    assert await _balances(platform, player) == (4_000, 0)
    promotions_after = (await platform.ledger.balance(promotions_account("EUR")))[1].posted
    assert promotions_after - promotions_before == 1_000
    events = await platform.ledger.stream_events(bonus_stream(player.player_id))
    assert [json.loads(e.data_json).get("outcome") for e in events] == [None, "forfeited"]
    assert (await verify_ledger(platform.ledger.store)).ok


async def test_a_deposit_match_is_granted_when_the_deposit_settles(platform: Platform) -> None:
    assert platform.bonus is not None
    service = platform.bonus.service
    await _offer(platform, "welcome", MATCH)
    player = await _unfunded(platform, "match@example.com")
    waiting = await service.claim(player, "welcome")
    assert waiting["waiting_for_deposit"] == "welcome" and waiting["active"] == []
    await platform.wallet.deposit(player, "deposit-match-1", 3_000)
    for _ in range(200):  # granted off the commit path: wait for it, bounded
        state = await service.states.read(player.player_id)
        if state.active is not None:
            break
        await asyncio.sleep(0.05)
    assert state.active is not None
    assert state.active.amount_minor == 1_500  # 50 % of 3000, under the cap
    assert state.active.requirement_minor == 2 * (1_500 + 3_000)
    assert await _balances(platform, player) == (3_000, 1_500)
    assert (await verify_ledger(platform.ledger.store)).ok


async def test_nothing_is_offered_to_a_barred_player_and_targeting_follows_segments(
    platform: Platform,
) -> None:
    assert platform.bonus is not None and platform.backoffice is not None
    assert platform.responsible is not None
    service = platform.bonus.service
    await _offer(platform, "free-ten", NO_DEPOSIT)
    await _offer(platform, "for-new", {**NO_DEPOSIT, "segments": ["new"]})
    await _offer(platform, "for-vips", {**NO_DEPOSIT, "segments": ["vip"]})
    newcomer = await _unfunded(platform, "newcomer@example.com")
    offered = await service.overview(newcomer)
    assert [offer["offer_id"] for offer in offered["offers"]] == ["for-new", "free-ten"]
    with pytest.raises(BonusNotAvailable):  # targeted at others
        await service.claim(newcomer, "for-vips")
    resting = await _unfunded(platform, "resting@example.com")
    await platform.responsible.time_out(resting, 24, ip="1.2.3.4")
    flagged = await _unfunded(platform, "flagged@example.com")
    await platform.backoffice.accounts.set_flags(
        flagged.player_id, ["aml-watch"], actor="staff:1", source_ip="1.2.3.4", reason="test"
    )
    for barred in (resting, flagged):
        assert (await service.overview(barred))["offers"] == []
        with pytest.raises(BonusNotAvailable):
            await service.claim(barred, "free-ten")
        with pytest.raises(BonusNotAvailable):  # staff cannot grant one either
            await service.grant_by_staff(barred, "free-ten")
        assert await _balances(platform, barred) == (0, 0)
        assert await platform.ledger.stream_events(bonus_stream(barred.player_id)) == []


async def test_free_spins_are_paid_by_the_house_and_their_wins_wagered(
    platform: Platform,
) -> None:
    assert platform.bonus is not None
    service = platform.bonus.service
    spins = {
        "name": "Five spins",
        "kind": "free-spins",
        "currency": "EUR",
        "game_id": "lotus-20",
        "spins": 5,
        "spin_stake_minor": 100,
        "wagering_multiple": 2,
    }
    await _offer(platform, "five-spins", spins)
    player = await _unfunded(platform, "spins@example.com")
    before = await _house_side(platform)
    view = await service.claim(player, "five-spins")
    active = view["active"][0]
    assert (active["spins_left"], active["balance"], active["requirement"]) == (5, 0, 0)
    won = 0
    for spin in range(5):
        played = await platform.rounds.play(player, "lotus-20", f"free-{spin}", {"stake": 100})
        paid = await platform.ledger.transfer_by_id(f"{played['round_id']}:bonus-free-spin")
        assert paid is not None and paid.amount_minor == 100
        won += played["win"]
        cash, bonus = await _balances(platform, player)
        assert cash == 0  # the house paid the stake; every win is bonus funds
        assert await _house_side(platform) + cash + bonus == before
    state = await service.states.read(player.player_id)
    if won == 0:
        assert state.active is None and state.ended[-1][1] == "lost"
    else:
        progress = (await service.overview(player))["active"][0]
        assert progress["spins_left"] == 0 and progress["balance"] == won
        assert progress["requirement"] == 2 * won and progress["wagered"] == 0
    assert (await verify_ledger(platform.ledger.store)).ok


async def test_cashback_pays_a_share_of_net_losses_once_per_period(platform: Platform) -> None:
    from datetime import UTC, datetime, timedelta

    assert platform.bonus is not None and platform.responsible is not None
    cashback = {
        "name": "Ten percent back",
        "kind": "cashback",
        "currency": "EUR",
        "cashback_percent": 10,
        "period_days": 1,
        "wagering_multiple": 1,
    }
    await _offer(platform, "back-cash", cashback)
    await _offer(platform, "back-bonus", {**cashback, "paid_as": "bonus"})
    loser = await funded_player(platform, "loser@example.com", 10_000)
    resting = await funded_player(platform, "resting-loser@example.com", 10_000)
    losses = {}
    for player in (loser, resting):
        stakes = wins = 0
        for spin in range(10):
            key = f"{player.player_id[:8]}-loss-{spin}"
            played = await platform.rounds.play(player, "lotus-20", key, {"stake": 200})
            stakes, wins = stakes + 200, wins + played["win"]
        losses[player.player_id] = stakes - wins
    await platform.responsible.time_out(resting, 24, ip="1.2.3.4")
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    expected = max(0, losses[loser.player_id]) * 10 // 100
    cash_before, _ = await _balances(platform, loser)
    run = await platform.bonus.cashback("back-cash", today=tomorrow, players_max=1000)
    assert run.paid == (1 if expected else 0) and run.total_minor == expected
    assert await _balances(platform, loser) == (cash_before + expected, 0)
    again = await platform.bonus.cashback("back-cash", today=tomorrow, players_max=1000)
    assert again.paid == 0 and await _balances(platform, loser) == (cash_before + expected, 0)
    as_bonus = await platform.bonus.cashback("back-bonus", today=tomorrow, players_max=1000)
    assert as_bonus.total_minor == expected
    assert await _balances(platform, loser) == (cash_before + expected, expected)
    assert (await platform.bonus.cashback("back-bonus", today=tomorrow, players_max=1000)).paid == 0
    assert await _balances(platform, resting) == (10_000 - losses[resting.player_id], 0)
    assert (await verify_ledger(platform.ledger.store)).ok
