"""Live tournaments on a real ledger (SQLite and PostgreSQL), driven by a fake clock: a
sit-and-go from registration to payouts, refusals that change nothing, an MTT cancelled
below its minimum field (everyone refunded), a rebuild mid-hand that resumes the same hand,
a crash between the finish and the payouts after which the prizes are paid exactly once,
and an entry counted against the wager limit as a stake. ``ledger verify`` after each."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator

import pytest

from croupier.api.ws.poker import register
from croupier.bootstrap import Platform, open_platform
from croupier.config import load_settings
from croupier.domain.errors import CroupierError, IllegalAction, InsufficientFunds
from croupier.domain.poker.live_errors import (
    AlreadyRegistered,
    NotRegistered,
    NotYourTurn,
    RegistrationClosed,
)
from croupier.domain.poker.tournament import TournamentStatus
from croupier.services.ledger import verify_ledger
from croupier.services.poker import MemorySealer
from croupier.services.poker.tournaments import LiveTournament
from tests.support.platform import funded_player
from tests.support.poker_tables import FakeClock
from tests.support.poker_tournaments import (
    cash,
    check_chips,
    check_hand_histories,
    fund_players,
    play_round,
    tournament_lobby,
)
from tests.support.vault import KEK_ENV

FUNDS = 5_000
ENTRY = 1_080  # sng-6-max: 10.00 + 0.80


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    env = {**KEK_ENV, "CROUPIER_POKER_TABLES_PER_GAME": "0"}
    opened = await open_platform(load_settings(env, database_url=database_url))
    try:
        yield opened
    finally:
        await opened.close()


async def _verified(platform: Platform) -> None:
    report = await verify_ledger(platform.ledger.store)
    assert report.ok, report.problems


async def _play_out(live: LiveTournament, clock: FakeClock, rng: random.Random) -> None:
    for _ in range(2000):
        if live.model.status is TournamentStatus.FINISHED:
            return
        await play_round(live, rng)
        clock.now_ms += 60_000
        await live.advance()
        check_chips(live)
    raise AssertionError("the tournament never finished")


async def _head(platform: Platform, live: LiveTournament) -> int:
    return await platform.ledger.stream_head(f"poker-tournament:{live.tournament_id}")


async def test_a_sit_and_go_starts_when_full_and_pays_its_winners(  # noqa: PLR0915 - one story
    platform: Platform,
) -> None:
    ledger, clock, rng = platform.ledger, FakeClock(), random.Random(5)
    lobby = tournament_lobby(ledger, MemorySealer(), clock)
    live = await lobby.create("sng-6-max-1", "sng-6-max")
    players = await fund_players(ledger, "sng", 7, FUNDS)
    poor = (await fund_players(ledger, "poor", 1, ENTRY - 1))[0]
    for player in players[:5]:
        await live.register(player)
    assert live.model.status is TournamentStatus.REGISTERING
    assert await cash(ledger, players[0]) == FUNDS - ENTRY
    head = await _head(platform, live)
    # refusals change nothing: no event, no money
    with pytest.raises(AlreadyRegistered):
        await live.register(players[0])
    with pytest.raises(NotRegistered):
        await live.unregister(players[6])
    with pytest.raises(InsufficientFunds):
        await live.register(poor)
    assert await cash(ledger, poor) == ENTRY - 1
    assert await _head(platform, live) == head
    assert await cash(ledger, players[0]) == FUNDS - ENTRY
    # unregister: buy-in and fee back; registering again is a new entry
    await live.unregister(players[4])
    assert await cash(ledger, players[4]) == FUNDS
    await live.register(players[4])
    await live.register(players[5])  # the sixth: full, it starts
    assert live.model.status is TournamentStatus.RUNNING
    assert len(live.tables) == 1
    table = next(iter(live.tables.values()))
    hand = table.model.hand
    assert hand is not None and hand.to_act is not None
    with pytest.raises(RegistrationClosed):
        await live.register(players[6])
    with pytest.raises(RegistrationClosed):
        await live.unregister(players[0])
    # at the table: out of turn, joining, leaving are refused and change nothing
    table_head = table.model.head
    other = next(p for s, p in table.model.players.items() if s != hand.to_act)
    with pytest.raises(NotYourTurn):
        await table.act(other, "call")
    with pytest.raises(IllegalAction):
        await table.join(players[6], 1_000)
    with pytest.raises(IllegalAction):
        await table.leave(other)
    assert table.model.head == table_head
    assert (await ledger.balance(live.model.pool_account))[1].posted == 6 * 1_000

    await _play_out(live, clock, rng)
    payouts = {p.entrant_id: p.amount_minor for p in live.model.tournament.payouts()}
    assert sorted(payouts.values()) == [2_100, 3_900]  # 6,000 pool: 65 % / 35 %
    for player in players[:6]:
        assert await cash(ledger, player) == FUNDS - ENTRY + payouts.get(player, 0)
    assert (await ledger.balance(live.model.pool_account))[1].posted == 0
    assert await check_hand_histories(ledger, live) > 0
    lobby_types = [
        item["type"]
        for event in await ledger.stream_events(
            "poker-tournament:sng-6-max-1", after_seq=0, limit=9999
        )
        for item in json.loads(event.data_json)["lobby"]
    ]
    assert lobby_types.count("player-registered") == 7  # one came back
    assert lobby_types.count("player-eliminated") == 5
    for kind in ("tournament-started", "level-advanced", "tournament-finished", "money-paid"):
        assert kind in lobby_types
    await _verified(platform)


async def test_an_mtt_below_its_minimum_is_cancelled_and_refunded(platform: Platform) -> None:
    ledger, clock = platform.ledger, FakeClock()
    lobby = tournament_lobby(ledger, MemorySealer(), clock)
    start_s = clock.now_ms // 1000 + 60
    live = await lobby.create("mtt-small-1", "mtt-daily", scheduled_start_s=start_s)
    players = await fund_players(ledger, "few", 19, FUNDS)  # entries_min is 20
    for player in players:
        await live.register(player)
    await live.advance()
    assert live.model.status is TournamentStatus.REGISTERING
    clock.now_ms = start_s * 1000
    await live.advance()
    assert live.model.status is TournamentStatus.CANCELLED
    for player in players:
        assert await cash(ledger, player) == FUNDS
    assert (await ledger.balance(live.model.pool_account))[1].posted == 0
    with pytest.raises(RegistrationClosed):
        await live.register(players[0])
    await _verified(platform)


async def test_a_restart_mid_hand_resumes_the_hand_and_the_tournament(platform: Platform) -> None:
    ledger, clock, rng, sealer = platform.ledger, FakeClock(), random.Random(9), MemorySealer()
    lobby = tournament_lobby(ledger, sealer, clock)
    live = await lobby.create("sng-6-max-2", "sng-6-max")
    players = await fund_players(ledger, "crash", 6, FUNDS)
    for player in players:
        await live.register(player)
    for _ in range(3):
        await play_round(live, rng)
        clock.now_ms += 60_000
        await live.advance()
    table = next(iter(live.tables.values()))
    hand = table.model.hand
    assert hand is not None and hand.to_act is not None
    player = table.model.players[hand.to_act]
    await table.act(player, "call" if hand.legal_actions().call_minor else "check")  # type: ignore[union-attr]
    in_progress = table.model.info
    assert in_progress is not None and table.model.hand is not None
    # a new owner (a restarted process): everything from the streams
    again = await tournament_lobby(ledger, sealer, clock).create_or_load("sng-6-max-2")
    resumed = next(iter(again.tables.values()))
    assert resumed.model.info is not None
    assert resumed.model.info.hand_id == in_progress.hand_id
    assert resumed.model.hand is not None
    assert resumed.model.hand.to_act == table.model.hand.to_act
    assert again.model.tournament.stacks() == live.model.tournament.stacks()
    await _play_out(again, clock, rng)
    payouts = {p.entrant_id: p.amount_minor for p in again.model.tournament.payouts()}
    for entrant in players:
        assert await cash(ledger, entrant) == FUNDS - ENTRY + payouts.get(entrant, 0)
    await _verified(platform)


async def test_a_crash_before_the_payouts_pays_exactly_once_after_restart(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger, clock, rng, sealer = platform.ledger, FakeClock(), random.Random(3), MemorySealer()
    lobby = tournament_lobby(ledger, sealer, clock)
    live = await lobby.create("sng-6-max-3", "sng-6-max")
    players = await fund_players(ledger, "payc", 6, FUNDS)
    for player in players:
        await live.register(player)

    class Crash(Exception):
        pass

    async def crash(self: LiveTournament) -> None:
        if self.model.next_payment(25) is not None:
            raise Crash  # the process dies after the finishing round, before any prize moves

    monkeypatch.setattr(LiveTournament, "_pay_what_is_owed", crash)
    with pytest.raises(Crash):
        await _play_out(live, clock, rng)
    assert live.model.status is TournamentStatus.FINISHED
    assert (await ledger.balance(live.model.pool_account))[1].posted == 6_000
    monkeypatch.undo()
    for _ in range(2):  # restarted twice: paid once
        await tournament_lobby(ledger, sealer, clock).create_or_load("sng-6-max-3")
    payouts = {p.entrant_id: p.amount_minor for p in live.model.tournament.payouts()}
    for player in players:
        assert await cash(ledger, player) == FUNDS - ENTRY + payouts.get(player, 0)
    assert (await ledger.balance(live.model.pool_account))[1].posted == 0
    await _verified(platform)


async def test_an_entry_counts_against_the_wager_limit_like_a_stake(platform: Platform) -> None:
    """A player whose daily wager limit is below the entry is refused with ``wager-limit``
    and nothing changes; within the limit the entry is taken and counted."""
    assert platform.responsible is not None
    ledger, clock = platform.ledger, FakeClock()
    live = await tournament_lobby(ledger, MemorySealer(), clock).create("sng-6-max-9", "sng-6-max")
    careful = await funded_player(platform, "careful@example.com", FUNDS)
    await platform.responsible.set_limits(careful, {"wager": {"daily": ENTRY - 1}}, ip="1.2.3.4")
    head = await _head(platform, live)
    with pytest.raises(CroupierError) as refused:
        await register(platform, careful, live)
    assert refused.value.code == "wager-limit"
    assert await cash(ledger, careful.player_id) == FUNDS
    assert await _head(platform, live) == head
    assert not live.is_entered(careful.player_id)
    bold = await funded_player(platform, "bold@example.com", FUNDS)
    await platform.responsible.set_limits(bold, {"wager": {"daily": ENTRY}}, ip="1.2.3.4")
    await register(platform, bold, live)
    assert live.is_entered(bold.player_id)
    assert await cash(ledger, bold.player_id) == FUNDS - ENTRY
    await _verified(platform)
