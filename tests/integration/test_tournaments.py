"""Slot tournaments on a real platform, on both engines: a fee moves on the ledger once
however often a player joins; players barred by account control or responsible gambling
cannot join; rounds count within the attempts allowed; and the payout, interrupted by a
crash after k of n prizes and run again on a reopened platform, pays each winner exactly
once, with the ledger verifying."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from croupier.bootstrap import Platform, open_platform
from croupier.config import Settings, load_settings
from croupier.domain.accounts.player import Player, cash_account_id
from croupier.domain.engagement.tournaments import (
    fee_transfer_id,
    pool_account,
    prize_transfer_id,
    prizes_account,
)
from croupier.domain.errors import AccountRestricted, SelfExcluded, StateConflict
from croupier.domain.events.rounds import RoundPlayed
from croupier.domain.ledger import Applied, Command, TransferRequest
from croupier.engagement_wiring import Engagement
from croupier.services.stream import StreamEvent
from croupier.services.tournaments import TournamentService
from croupier.services.tournaments.service import SETTLED_TYPE
from tests.support.operations import ALICE, IP, assert_ledger_verifies, backoffice
from tests.support.platform import funded_player
from tests.support.vault import KEK_ENV

FEE = 5_00
PRIZES = [40_00, 20_00, 10_00]


def _settings(database_url: str) -> Settings:
    return load_settings(dict(KEK_ENV), database_url=database_url)


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    opened = await open_platform(_settings(database_url))
    try:
        yield opened
    finally:
        await opened.close()


class Clock:
    def __init__(self) -> None:
        self.now_ms = time.time_ns() // 10**6

    def __call__(self) -> int:
        return self.now_ms


def engagement(platform: Platform) -> Engagement:
    assert platform.engagement is not None and platform.backoffice is not None
    return platform.engagement


async def tournaments(
    platform: Platform, clock: Clock, ledger: Any = None, *, publish: bool = False
) -> TournamentService:
    """A tournament service on the platform's own parts, with a clock the test moves. The
    platform's own service stops its settle loop first: that loop would otherwise pick up
    this one's tournaments from the store and count their rounds a second time."""
    parts = engagement(platform)
    await parts.tournaments.close()
    assert platform.backoffice is not None
    return TournamentService(
        parts.store,
        parts.boards,
        ledger or platform.ledger,
        parts.leaderboards,
        platform.backoffice.gate,
        clock_ms=clock,
        stream=platform.stream if publish else None,
    )


def definition(tournament_id: str, clock: Clock, **changes: Any) -> dict[str, Any]:
    return {
        "id": tournament_id,
        "starts_at_ms": clock.now_ms - 60_000,
        "ends_at_ms": clock.now_ms + 3_600_000,
        "currency": "EUR",
        "fee_minor": FEE,
        "entrants_max": 10,
        "attempts_max": 3,
        "games": ["lotus-20"],
        "metric": "total_win",
        "operator": "incr",
        "prizes": PRIZES,
        **changes,
    }


async def cash(platform: Platform, player: Player) -> int:
    return (await platform.ledger.balance(cash_account_id(player.player_id)))[1].available


async def test_joining_charges_the_fee_once_and_barred_players_cannot_join(
    platform: Platform,
) -> None:
    clock = Clock()
    service = await tournaments(platform, clock)
    await service.start(settle=False)
    await service.create(definition("join-once", clock))
    ann = await funded_player(platform, "ann@example.com", 100_00)
    await service.join("join-once", ann)
    await service.join("join-once", ann)  # a replay: charged once
    assert await cash(platform, ann) == 100_00 - FEE
    assert (await platform.ledger.balance(pool_account("join-once")))[1].available == FEE

    frozen = await funded_player(platform, "frozen@example.com", 100_00)
    await backoffice(platform).accounts.freeze(
        frozen.player_id, actor=ALICE, source_ip=IP, reason="fraud investigation"
    )
    with pytest.raises(AccountRestricted):
        await service.join("join-once", frozen)
    excluded = await funded_player(platform, "excluded@example.com", 100_00)
    assert platform.responsible is not None
    await platform.responsible.self_exclude(excluded, 6, ip=IP)
    with pytest.raises(SelfExcluded):
        await service.join("join-once", excluded)
    for barred in (frozen, excluded):  # refused before any money moved
        assert await cash(platform, barred) == 100_00
    assert len(await engagement(platform).store.entries("join-once")) == 1
    await service.close()


async def test_a_full_tournament_refunds_the_fee(platform: Platform) -> None:
    clock = Clock()
    service = await tournaments(platform, clock)
    await service.create(definition("tiny", clock, entrants_max=1))
    first = await funded_player(platform, "first@example.com", 100_00)
    late = await funded_player(platform, "late@example.com", 100_00)
    await service.join("tiny", first)
    with pytest.raises(StateConflict):
        await service.join("tiny", late)
    assert await cash(platform, late) == 100_00
    await assert_ledger_verifies(platform)


class Crash(BaseException):
    """The process dies here: nothing after it runs (not an error a handler could catch)."""


class CrashingLedger:
    """The platform's ledger, closed for good after ``prizes_max`` prize transfers commit."""

    def __init__(self, platform: Platform, prizes_max: int) -> None:
        self.platform = platform
        self.prizes_max = prizes_max
        self.prizes = 0

    async def submit(self, commands: Sequence[Command]) -> Applied:
        applied = await self.platform.ledger.submit(commands)
        if any(isinstance(c, TransferRequest) and ":prize:" in c.id for c in commands):
            self.prizes += 1
            if self.prizes == self.prizes_max:
                await self.platform.close()
                raise Crash
        return applied

    def __getattr__(self, name: str) -> Any:
        return getattr(self.platform.ledger, name)


@pytest.mark.parametrize("crash_after", [1, 2, 3])  # 3: every prize in, not yet settled
async def test_a_payout_interrupted_by_a_crash_pays_each_winner_exactly_once(
    database_url: str, crash_after: int
) -> None:
    clock = Clock()
    platform = await open_platform(_settings(database_url))
    crashing = CrashingLedger(platform, crash_after)
    service = await tournaments(platform, clock, crashing)
    await service.start(settle=False)
    await service.create(definition("crashy", clock))
    players = [await funded_player(platform, f"p{n}@example.com", 100_00) for n in range(4)]
    for player in players:
        await service.join("crashy", player)
    wins: dict[str, list[int]] = {p.player_id: [] for p in players}
    platform.handlers.on(
        RoundPlayed,
        lambda c: wins[c.record.player_id].append(c.record.win + (c.record.jackpot_win or 0)),
    )
    for n, player in enumerate(players):  # more rounds than attempts: 3 count
        for spin in range(4):
            await platform.rounds.play(player, "lotus-20", f"t-{n}-{spin}", {"stake": 100})
    await engagement(platform).leaderboards.caught_up()
    # a join a crash cut short: its fee taken, its entry never written
    orphan = await funded_player(platform, "orphan@example.com", 100_00)
    await platform.ledger.transfer(
        fee_transfer_id("crashy", orphan.player_id),
        debit_account_id=cash_account_id(orphan.player_id),
        credit_account_id=pool_account("crashy"),
        amount_minor=FEE,
        currency="EUR",
        reason="tournament_fee",
    )
    before = {p.player_id: await cash(platform, p) for p in players}
    clock.now_ms += 3_600_000  # the tournament is over
    with pytest.raises(Crash):
        await service.settle("crashy")

    platform = await open_platform(_settings(database_url))  # the restart
    try:
        again = await tournaments(platform, clock, publish=True)
        published: list[StreamEvent] = []
        platform.stream.subscribe("leaderboard", published.append)
        results = await again.settle("crashy")
        [event] = published  # the results, once, on the tournament's channel
        assert (event.stream, event.type) == ("leaderboard:tournament-crashy", SETTLED_TYPE)
        assert json.loads(event.data_json) == results
        assert (await again.get("crashy"))["results"] == results
        assert (await engagement(platform).store.tournament("crashy")).state == "settled"  # type: ignore[union-attr]
        assert await again.settle("crashy") == results  # settled: nothing moves again
        scores = {e["player_id"]: e["score"] for e in results["standings"]}
        assert scores == {player: sum(won[:3]) for player, won in wins.items()}
        prizes = results["prizes"]
        assert [amount for _, _, amount in prizes] == PRIZES  # four entrants, three places
        for place, player_id, amount in prizes:
            transfer = await platform.ledger.transfer_by_id(prize_transfer_id("crashy", place))
            assert transfer is not None and transfer.amount_minor == amount
            history = await platform.ledger.history(cash_account_id(player_id), limit=100)
            paid = [t for _, t in history if t.id.startswith("tournament:crashy:prize:")]
            assert len(paid) == 1
        won = {player_id: amount for _, player_id, amount in prizes}
        for player in players:
            expected = before[player.player_id] + won.get(player.player_id, 0)
            assert await cash(platform, player) == expected
        assert await cash(platform, orphan) == 100_00  # the orphan fee went back
        # the pool is empty; the operator's tally paid what the fees did not cover
        assert (await platform.ledger.balance(pool_account("crashy")))[1].available == 0
        house = (await platform.ledger.balance(prizes_account("EUR")))[1].posted
        assert house == -(sum(PRIZES) - 4 * FEE)
        await assert_ledger_verifies(platform)
    finally:
        await platform.close()


async def test_a_restart_rebuilds_an_open_tournaments_board_from_the_ledger(
    database_url: str,
) -> None:
    """The in-process boards are lost with the process: the reopened platform replays the
    committed rounds into the open tournament's board (and its attempts), so the standings
    are the same and the attempts already used still count. A round played before its
    player joined counts neither live nor after the rebuild."""
    clock = Clock()
    platform = await open_platform(_settings(database_url))
    try:
        service = engagement(platform).tournaments
        await service.create(definition("rebuilt", clock))
        players = [await funded_player(platform, f"r{n}@example.com", 100_00) for n in range(3)]
        await platform.rounds.play(players[2], "lotus-20", "r-early", {"stake": 100})
        for player in players:
            await service.join("rebuilt", player)
        for n, player in enumerate(players):
            for spin in range(2):  # two of the three attempts
                await platform.rounds.play(player, "lotus-20", f"r-{n}-{spin}", {"stake": 100})
        await engagement(platform).leaderboards.caught_up()
        before = (await service.get("rebuilt"))["standings"]
        boards_before = await engagement(platform).leaderboards.top("weekly-wagered-eur", 10)
        assert boards_before[1][0].score == 300  # the early round is on the plain board
    finally:
        await platform.close()

    platform = await open_platform(_settings(database_url))  # new process, empty memory
    try:
        service = engagement(platform).tournaments
        assert (await service.get("rebuilt"))["standings"] == before
        assert await engagement(platform).leaderboards.top("weekly-wagered-eur", 10) == (
            boards_before
        )
        attempts = await engagement(platform).boards.top(
            "tournament-rebuilt:attempts", 10, sort="desc"
        )
        assert sorted(entry.score for entry in attempts) == [2, 2, 2]  # not the early round
        for n, player in enumerate(players):  # one attempt left each, not three
            for spin in range(2, 4):
                await platform.rounds.play(player, "lotus-20", f"r-{n}-{spin}", {"stake": 100})
        await engagement(platform).leaderboards.caught_up()
        attempts = await engagement(platform).boards.top(
            "tournament-rebuilt:attempts", 10, sort="desc"
        )
        assert sorted(entry.score for entry in attempts) == [3, 3, 3]
    finally:
        await platform.close()


async def test_a_tournament_file_is_created_once_and_played(
    database_url: str, tmp_path: Any
) -> None:
    """``CROUPIER_TOURNAMENTS_DIR``: the platform creates the file's tournament at start,
    once however often it starts; players join it and their rounds count."""
    folder = tmp_path / "tournaments"
    folder.mkdir()
    now_s = time.time_ns() // 10**9
    (folder / "from-file.toml").write_text(
        f"""
id = "from-file"
starts_at_ms = {(now_s - 60) * 1000}
ends_at_ms = {(now_s + 3600) * 1000}
currency = "EUR"
games = ["lotus-20"]
metric = "rounds"
operator = "incr"
entrants_max = 5
attempts_max = 10
prizes = [1000]
""",
        encoding="utf-8",
    )
    settings = load_settings(
        {**KEK_ENV, "CROUPIER_TOURNAMENTS_DIR": str(folder)}, database_url=database_url
    )
    joined: list[str] = []
    for start in range(2):  # the second start finds it there: nothing new, nothing reset
        platform = await open_platform(settings)
        try:
            service = engagement(platform).tournaments
            assert [t["id"] for t in await service.list()] == ["from-file"]
            player = await funded_player(platform, f"filed{start}@example.com", 100_00)
            await service.join("from-file", player)
            joined.append(player.player_id)
            await platform.rounds.play(player, "lotus-20", f"file-{start}", {"stake": 100})
            await engagement(platform).leaderboards.caught_up()
            view = await service.get("from-file")
            assert view["state"] == "open" and view["entrants"] == start + 1
            # one round each: the first player's rebuilt after the restart
            standings = {e["player_id"]: e["score"] for e in view["standings"]}
            assert standings == dict.fromkeys(joined, 1)
        finally:
            await platform.close()
