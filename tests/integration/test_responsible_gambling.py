"""Responsible gambling on a real platform, on both engines, with an injected clock: limits
(decrease at once, increase after the cooling-off), the DE monthly default, deposits and
stakes racing a limit (the ledger refuses past it, and verifies after), reality checks,
time-out and self-exclusion, the national register."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from croupier.bootstrap import Platform
from croupier.domain.accounts import AuthenticationFailed
from croupier.domain.accounts.player import Player
from croupier.domain.compliance.responsible import period_key
from croupier.domain.errors import (
    DepositLimit,
    InvalidInput,
    LossLimit,
    PaymentDeclined,
    RealityCheckDue,
    SelfExcluded,
    SessionTimeLimit,
    StateConflict,
    TimedOut,
    WagerLimit,
)
from croupier.services.audit import AuditQuery
from croupier.services.compliance.responsible import ResponsibleGambling
from croupier.services.payments.ports import ChargeRequest, Outcome, ProviderAnswer
from croupier.services.stream.channels import player_stream
from tests.support.operations import assert_ledger_verifies
from tests.support.payments import Act, ScriptedProvider, use_providers
from tests.support.platform import PASSWORD

IP = "1.2.3.4"
START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def _rg(platform: Platform) -> ResponsibleGambling:
    assert platform.responsible is not None
    return platform.responsible


@pytest.fixture
def clock(platform: Platform) -> Clock:
    clock = Clock()
    _rg(platform).clock = clock
    return clock


async def _player(
    platform: Platform, email: str, *, country: str = "MT", currency: str = "EUR"
) -> Player:
    await platform.accounts.register(
        email=email,
        password=PASSWORD,
        date_of_birth="1990-01-01",
        country=country,
        currency=currency,
    )
    return (await platform.accounts.login(email=email, password=PASSWORD, ip=IP)).player


async def test_a_uk_limit_decrease_is_at_once_and_an_increase_waits_24_h(
    platform: Platform, clock: Clock
) -> None:
    player = await _player(platform, "uk@example.com", country="GB", currency="GBP")
    rg = _rg(platform)
    view = await rg.set_limits(player, {"deposit": {"daily": 50_00}}, ip=IP)
    assert view["deposit"]["daily"] == {"value": 50_00, "pending": None, "pending_from": None}
    await platform.wallet.deposit(player, "uk-deposit-1", 40_00)
    with pytest.raises(DepositLimit):
        await platform.wallet.deposit(player, "uk-deposit-2", 20_00)

    view = await rg.set_limits(player, {"deposit": {"daily": 100_00}}, ip=IP)
    assert view["deposit"]["daily"]["value"] == 50_00  # not yet
    assert view["deposit"]["daily"]["pending"] == 100_00
    assert view["deposit"]["daily"]["pending_from"] == (START + timedelta(hours=24)).isoformat()
    with pytest.raises(DepositLimit):
        await platform.wallet.deposit(player, "uk-deposit-3", 20_00)

    clock.advance(hours=23, minutes=59)
    with pytest.raises(StateConflict):  # UKGC: confirmed once the 24 h are over, not before
        await rg.confirm_increases(player, ip=IP)
    clock.advance(minutes=1)
    view = await rg.confirm_increases(player, ip=IP)
    assert view["deposit"]["daily"] == {"value": 100_00, "pending": None, "pending_from": None}
    await platform.wallet.deposit(player, "uk-deposit-4", 100_00)  # a new day, the new limit
    with pytest.raises(DepositLimit):
        await platform.wallet.deposit(player, "uk-deposit-5", 1)

    # a decrease below what the day used applies at once: nothing more today
    await rg.set_limits(player, {"deposit": {"daily": 10_00}}, ip=IP)
    with pytest.raises(DepositLimit):
        await platform.wallet.deposit(player, "uk-deposit-6", 1)
    assert (await platform.wallet.wallet(player)).cash == 140_00
    await assert_ledger_verifies(platform)
    page = await platform.audit.query(
        AuditQuery(actor=f"player:{player.player_id}", action_prefix="player.limits.")
    )
    changes = [r for r in page.records if r.action == "player.limits.changed"]
    assert len(changes) == 4 and all(r.source_ip == IP for r in changes)
    raised = json.loads(changes[1].after_json or "{}")["deposit"]["daily"]
    assert raised == {
        "value": 50_00,
        "pending": 100_00,
        "pending_from": (START + timedelta(hours=24)).isoformat(),
    }
    assert (await platform.audit.verify()).ok


async def test_a_de_player_is_held_to_eur_1000_a_month_by_default(
    platform: Platform, clock: Clock
) -> None:
    player = await _player(platform, "de@example.com", country="DE")
    view = await _rg(platform).limits(player)
    assert view["deposit"]["monthly"]["value"] == 1000_00
    await platform.wallet.deposit(player, "de-deposit-1", 900_00)
    with pytest.raises(DepositLimit, match="monthly deposit limit"):
        await platform.wallet.deposit(player, "de-deposit-2", 100_01)
    assert (await platform.wallet.wallet(player)).cash == 900_00  # nothing moved
    await platform.wallet.deposit(player, "de-deposit-3", 100_00)
    clock.now = datetime(2027, 1, 1, tzinfo=UTC)  # a new calendar month (UTC)
    await platform.wallet.deposit(player, "de-deposit-4", 1000_00)
    assert (await platform.wallet.wallet(player)).cash == 2000_00
    # raising it waits the profile's 7 days
    view = await _rg(platform).set_limits(player, {"deposit": {"monthly": 2000_00}}, ip=IP)
    assert view["deposit"]["monthly"]["value"] == 1000_00
    assert view["deposit"]["monthly"]["pending"] == 2000_00
    await assert_ledger_verifies(platform)


async def test_concurrent_deposits_never_pass_the_limit(platform: Platform, clock: Clock) -> None:
    player = await _player(platform, "racer@example.com")
    await _rg(platform).set_limits(player, {"deposit": {"daily": 1000, "weekly": 700}}, ip=IP)

    async def deposit(i: int) -> bool:
        try:
            await platform.wallet.deposit(player, f"race-deposit-{i:03d}", 100)
        except DepositLimit:
            return False
        return True

    made = await asyncio.gather(*(deposit(i) for i in range(30)))
    assert sum(made) == 7  # the weekly 700 binds first
    assert (await platform.wallet.wallet(player)).cash == 700
    await assert_ledger_verifies(platform)


async def test_concurrent_stakes_never_pass_the_wager_limit(
    platform: Platform, clock: Clock
) -> None:
    player = await _player(platform, "wagerer@example.com")
    await platform.wallet.deposit(player, "wager-funds", 100_00)
    await _rg(platform).set_limits(player, {"wager": {"daily": 1000}}, ip=IP)

    async def spin(i: int) -> bool:
        try:
            await platform.rounds.play(player, "lotus-20", f"race-spin-{i:03d}", {"stake": 100})
        except WagerLimit:
            return False
        return True

    played = await asyncio.gather(*(spin(i) for i in range(25)))
    assert sum(played) == 10
    history = await platform.rounds.history(player, limit=100, cursor=None)
    assert len(history[0]) == 10
    await assert_ledger_verifies(platform)


async def test_a_loss_limit_counts_net_losses(platform: Platform, clock: Clock) -> None:
    player = await _player(platform, "loser@example.com")
    await platform.wallet.deposit(player, "loss-funds", 100_00)
    await _rg(platform).set_limits(player, {"loss": {"daily": 500}}, ip=IP)
    refused = 0
    for i in range(60):
        try:
            await platform.rounds.play(player, "lotus-20", f"loss-spin-{i:03d}", {"stake": 100})
        except LossLimit:
            refused += 1
    cash = (await platform.wallet.wallet(player)).cash
    assert 100_00 - cash <= 500  # the net loss of the day never passes the limit
    assert refused > 0 or 100_00 - cash < 500
    await assert_ledger_verifies(platform)


async def test_reality_checks_pause_play_until_acknowledged(
    platform: Platform, clock: Clock
) -> None:
    clock.now = datetime.now(UTC)  # the notice's net reads the ledger, stamped in real time
    player = await _player(platform, "reality@example.com")
    await platform.wallet.deposit(player, "reality-funds", 50_00)
    rg = _rg(platform)
    with pytest.raises(InvalidInput):  # MGA bounds: 10 to 240 minutes
        await rg.set_limits(player, {"reality_check_minutes": 5}, ip=IP)
    await rg.set_limits(player, {"reality_check_minutes": 10, "session_minutes": 30}, ip=IP)
    await platform.rounds.play(player, "lotus-20", "reality-spin-1", {"stake": 100})
    clock.advance(minutes=10)
    with pytest.raises(RealityCheckDue):
        await platform.rounds.play(player, "lotus-20", "reality-spin-2", {"stake": 100})
    with pytest.raises(RealityCheckDue):  # still paused; the notice is sent once
        await platform.rounds.play(player, "lotus-20", "reality-spin-3", {"stake": 100})
    events = await platform.ledger.stream_events(player_stream(player.player_id))
    checks = [e for e in events if e.type == "reality.check"]
    assert len(checks) == 1
    notice = json.loads(checks[0].data_json)
    assert notice["session_minutes"] == 10 and notice["currency"] == "EUR"
    cash = (await platform.wallet.wallet(player)).cash
    assert notice["net_minor"] == cash - 50_00

    await rg.acknowledge_reality_check(player, ip=IP)
    with pytest.raises(StateConflict):
        await rg.acknowledge_reality_check(player, ip=IP)
    await platform.rounds.play(player, "lotus-20", "reality-spin-4", {"stake": 100})
    clock.advance(minutes=20)  # the session time limit: 30 minutes
    with pytest.raises(SessionTimeLimit):
        await platform.rounds.play(player, "lotus-20", "reality-spin-5", {"stake": 100})
    # a new login starts a new session
    await platform.accounts.login(email=player.email, password=PASSWORD, ip=IP)
    await platform.rounds.play(player, "lotus-20", "reality-spin-6", {"stake": 100})


async def test_a_time_out_ends_sessions_and_refuses_play_until_it_ends(
    platform: Platform, clock: Clock
) -> None:
    player = await _player(platform, "break@example.com")
    session = await platform.accounts.login(email=player.email, password=PASSWORD, ip=IP)
    await platform.wallet.deposit(player, "break-funds", 50_00)
    rg = _rg(platform)
    with pytest.raises(InvalidInput):
        await rg.time_out(player, 12, ip=IP)  # at least 24 h
    exclusion = await rg.time_out(player, 24, ip=IP)
    assert exclusion.until == START + timedelta(hours=24)
    with pytest.raises(AuthenticationFailed):  # every session ended at once
        await platform.accounts.authenticate(session.token)
    with pytest.raises(TimedOut):
        await platform.accounts.login(email=player.email, password=PASSWORD, ip=IP)
    # a withdrawal-only login: the balance and a withdrawal, no play, no deposit
    restricted = await platform.accounts.login(
        email=player.email, password=PASSWORD, ip=IP, withdraw_only=True
    )
    with pytest.raises(TimedOut):
        await platform.rounds.play(restricted.player, "lotus-20", "break-spin", {"stake": 100})
    with pytest.raises(TimedOut):
        await platform.wallet.deposit(restricted.player, "break-deposit", 10_00)
    await platform.wallet.withdraw(restricted.player, "break-withdraw", 20_00)
    assert (await platform.wallet.wallet(player)).cash == 30_00
    assert not await rg.marketing_allowed(player.player_id)

    clock.advance(hours=24)
    await platform.accounts.login(email=player.email, password=PASSWORD, ip=IP)
    await platform.rounds.play(player, "lotus-20", "after-break-spin", {"stake": 100})
    assert await rg.marketing_allowed(player.player_id)  # a time-out does not stop it for good
    await assert_ledger_verifies(platform)


async def test_a_self_exclusion_is_irreversible_until_it_expires(
    platform: Platform, clock: Clock
) -> None:
    player = await _player(platform, "excluded@example.com")
    await platform.wallet.deposit(player, "excluded-funds", 50_00)
    rg = _rg(platform)
    with pytest.raises(InvalidInput):
        await rg.self_exclude(player, 3, ip=IP)  # MGA: 6 to 60 months
    exclusion = await rg.self_exclude(player, 6, ip=IP)
    assert exclusion.until == datetime(2027, 6, 7, 9, 0, tzinfo=UTC)
    # a shorter time-out asked for later never shortens or softens it
    again = await rg.time_out(player, 24, ip=IP)
    assert again.kind.value == "self-exclusion" and again.until == exclusion.until
    with pytest.raises(SelfExcluded):
        await platform.accounts.login(email=player.email, password=PASSWORD, ip=IP)
    with pytest.raises(SelfExcluded):
        await platform.rounds.play(player, "lotus-20", "excluded-spin", {"stake": 100})
    with pytest.raises(SelfExcluded):
        await platform.wallet.deposit(player, "excluded-deposit", 10_00)
    await platform.wallet.withdraw(player, "excluded-withdraw", 50_00)
    assert not await rg.marketing_allowed(player.player_id)
    clock.now = exclusion.until
    await platform.accounts.login(email=player.email, password=PASSWORD, ip=IP)
    assert not await rg.marketing_allowed(player.player_id)  # marketing stays stopped


async def test_the_national_register_is_checked_at_registration(platform: Platform) -> None:
    with pytest.raises(SelfExcluded, match="national register"):
        await platform.accounts.register(
            email="ada+selfexcluded@example.com",
            password=PASSWORD,
            date_of_birth="1990-01-01",
            country="GB",
            currency="GBP",
        )


class _LoweringDecliner(ScriptedProvider):
    """A provider that, while the deposit is out, sees the player lower their limit (and a
    concurrent deposit synchronise the allowance), then declines."""

    def __init__(self, platform: Platform, player: Player) -> None:
        super().__init__(default=Act.DECLINE)
        self.platform, self.player = platform, player

    async def charge(self, request: ChargeRequest) -> ProviderAnswer:
        await _rg(self.platform).set_limits(self.player, {"deposit": {"daily": 50}}, ip=IP)
        with pytest.raises(DepositLimit):
            await self.platform.wallet.deposit(self.player, "meanwhile-1", 1)
        return ProviderAnswer(Outcome.DECLINED, reason="declined by the test")


async def test_a_decline_under_a_lowered_limit_gives_nothing_back_to_spend(
    platform: Platform, clock: Clock
) -> None:
    player = await _player(platform, "lowered@example.com")
    await _rg(platform).set_limits(player, {"deposit": {"daily": 100}}, ip=IP)
    await platform.wallet.deposit(player, "lowered-first", 60)
    use_providers(platform, _LoweringDecliner(platform, player))
    with pytest.raises(PaymentDeclined):
        await platform.wallet.deposit(player, "lowered-declined", 30)
    # the void returned 30 to the allowance, and the same group took it back: 60 used of 50
    _, allowance = await platform.ledger.balance(
        f"rg:{player.player_id}:deposit:{period_key('daily', clock.now)}"
    )
    assert allowance.available == 0 and allowance.pending == 0
    await assert_ledger_verifies(platform)
