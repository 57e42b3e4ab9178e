"""The back office's reports over rounds really played, on both engines.

Every player's seed pair is the same known one, so each round's outcome is fixed: the
figures below are golden, and each is also checked against the rounds' own answers. The
ledger's clock is set to two days of 2030 (it never goes back, so the days come after the
set-up's deposits), so rounds fall on known UTC days.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from croupier.adapters.game_files import GameFiles
from croupier.bootstrap import (
    Platform,
    instant_games,
    make_report_store,
    open_platform,
    table_games,
)
from croupier.config import load_settings
from croupier.domain.accounts.player import Player
from croupier.domain.events import encode
from croupier.domain.events.rounds import RecordedFairness, RoundSettled, RoundStarted
from croupier.domain.fairness import ProvablyFairSource
from croupier.domain.seed_pair import SeedPair
from croupier.services.fairness import FairnessService
from croupier.services.jackpots import JackpotPools
from croupier.services.reports import GgrRow, ReportService, ReportStore, as_dict
from croupier.services.rounds import RoundService
from tests.support.platform import PASSWORD
from tests.support.vault import KEK_ENV

SERVER_SEED = "5e" * 32
CLIENT_SEED = "reports-golden"
DAY_1, DAY_2 = date(2030, 1, 1), date(2030, 1, 2)
NOON_1, NOON_2 = 1_893_499_200_000, 1_893_585_600_000  # 12:00 UTC on each day
RED_AND_17 = {
    "bets": [{"type": "red", "stake": 100}, {"type": "straight", "numbers": [17], "stake": 50}]
}


@dataclass
class Casino:
    platform: Platform
    rounds: RoundService
    reports: ReportService
    store: ReportStore

    def at(self, now_ms: int) -> None:
        """The ledger's clock from now on (batches take the later of it and the last one)."""
        writer = self.platform.ledger.writer
        assert writer is not None
        writer.clock_ms = lambda: now_ms


@pytest.fixture
async def casino(database_url: str) -> AsyncIterator[Casino]:
    settings = load_settings(
        {**KEK_ENV, "CROUPIER_BLACKJACK_IDLE_TIMEOUT_S": "0"}, database_url=database_url
    )
    platform = await open_platform(settings)
    games = GameFiles.shipped()
    definitions = {game_id: games.load(game_id) for game_id in games.game_ids()}
    fairness = FairnessService(
        platform.seed_pairs,
        platform.ledger,
        clock_ms=lambda: NOON_1,
        new_pair=lambda: SeedPair(SERVER_SEED, CLIENT_SEED),
    )
    rounds = RoundService(
        platform.ledger,
        fairness,
        instant_games(definitions),
        settings.rounds,
        replay_source=ProvablyFairSource,
        tables=table_games(definitions),
    )
    store = make_report_store(database_url)
    await store.open()
    try:
        yield Casino(platform, rounds, ReportService(store, platform.catalogue), store)
    finally:
        await store.close()
        await platform.close()


async def _player(platform: Platform, email: str, code: str, deposit_minor: int) -> Player:
    await platform.accounts.register(
        email=email, password=PASSWORD, date_of_birth="1990-01-01", country="MT", currency=code
    )
    login = await platform.accounts.login(email=email, password=PASSWORD, ip="1.2.3.4")
    await platform.wallet.deposit(login.player, f"deposit-{email.partition('@')[0]}", deposit_minor)
    return login.player


async def _play(
    casino: Casino, player: Player, game_id: str, prefix: str, request: dict[str, Any], n: int
) -> list[dict[str, Any]]:
    return [
        await casino.rounds.play(player, game_id, f"{prefix}-{i:02d}", request) for i in range(n)
    ]


def _totals(answers: Iterable[dict[str, Any]]) -> tuple[int, int, int]:
    """(rounds, bets, wins) as the rounds' own answers tell them."""
    played = list(answers)
    wins = sum(a["win"] + (a.get("jackpot_win") or 0) for a in played)
    return len(played), sum(a["stake"] for a in played), wins


async def _golden_days(casino: Casino) -> dict[str, Any]:
    platform = casino.platform
    ann = await _player(platform, "ann@example.com", "EUR", 100_000)
    bob = await _player(platform, "bob@example.com", "EUR", 100_000)
    cat = await _player(platform, "cat@example.com", "USD", 50_000)
    casino.at(NOON_1)
    day_1 = {
        "lotus": await _play(casino, ann, "lotus-20", "lotus", {"stake": 1_000}, 6),
        "roulette": await _play(casino, ann, "european-roulette", "wheel", RED_AND_17, 4),
        "usd": await _play(casino, cat, "european-roulette", "wheel", RED_AND_17, 3),
    }
    casino.at(NOON_2)
    day_2 = {"lotus": await _play(casino, bob, "lotus-20", "lotus", {"stake": 2_500}, 5)}
    # A blackjack hand dealt and left open: its stake is reserved, not yet a bet of any day.
    hand = await casino.rounds.play(bob, "blackjack-6d-s17", "hand-00", {"stake": 300})
    return {"players": (ann, bob, cat), "day_1": day_1, "day_2": day_2, "hand": hand}


def _row(day: date, game: str, code: str, *figures: int) -> GgrRow:
    rounds, bets, wins, jackpot_wins, funding = figures
    return GgrRow(
        day=day,
        game_id=game,
        currency=code,
        exponent=2,
        rounds=rounds,
        bets_minor=bets,
        wins_minor=wins,
        jackpot_wins_minor=jackpot_wins,
        ggr_minor=bets - wins,
        jackpot_funding_minor=funding,
        ngr_minor=bets - wins - funding + jackpot_wins,
    )


#: (rounds, bets, wins, jackpot wins, jackpot funding) of the golden days. lotus-20 funds its
#: pool with 40 bps of each stake (4 of 1,000; 10 of 2,500) and seeds it (100,000) at its
#: first round; roulette has no pool. The hand left open counts on no day.
GOLDEN = [
    _row(DAY_1, "european-roulette", "EUR", 4, 600, 0, 0, 0),
    _row(DAY_1, "european-roulette", "USD", 3, 450, 200, 0, 0),
    _row(DAY_1, "lotus-20", "EUR", 6, 6_000, 3_600, 0, 100_024),
    _row(DAY_2, "lotus-20", "EUR", 5, 12_500, 9_000, 0, 50),
]


async def test_ggr_is_exact_per_game_day_and_currency(casino: Casino) -> None:
    played = await _golden_days(casino)
    assert played["hand"]["status"] == "open"
    rows = await casino.reports.ggr(DAY_1, DAY_2)
    assert rows == GOLDEN
    # The same figures as the rounds' own answers
    day_1, day_2 = played["day_1"], played["day_2"]
    assert [(r.rounds, r.bets_minor, r.wins_minor) for r in rows] == [
        _totals(day_1["roulette"]),
        _totals(day_1["usd"]),
        _totals(day_1["lotus"]),
        _totals(day_2["lotus"]),
    ]
    assert GOLDEN[2].ngr_minor == -97_624  # the day the house seeded the pool
    # One day, one game; a period before any round; a game never played
    assert await casino.reports.ggr(DAY_2, DAY_2, "lotus-20") == [GOLDEN[3]]
    assert await casino.reports.ggr(DAY_1, DAY_1, "lotus-20") == [GOLDEN[2]]
    assert await casino.reports.ggr(date(2029, 12, 1), date(2029, 12, 31)) == []
    assert await casino.reports.ggr(DAY_1, DAY_2, "dragon-25") == []


async def test_rtp_of_played_rounds_is_exact_and_inside_its_interval(casino: Casino) -> None:
    await _golden_days(casino)
    rows = {(r.game_id, r.currency): r for r in await casino.reports.rtp(DAY_1, DAY_2)}
    assert sorted(rows) == [
        ("european-roulette", "EUR"),
        ("european-roulette", "USD"),
        ("lotus-20", "EUR"),
    ]
    lotus = rows[("lotus-20", "EUR")]
    assert (lotus.rounds, lotus.bets_minor, lotus.wins_minor) == (11, 18_500, 12_600)
    assert lotus.observed == Fraction(12_600, 18_500)
    # Σs = 18,500, Σs² = 6·1,000² + 5·2,500² = 37,250,000: N_eff = 18,500² / 37,250,000
    assert lotus.effective_rounds == Fraction(18_500**2, 37_250_000)
    assert (lotus.theoretical, lotus.sigma) == (Fraction(9481, 10_000), Fraction(1342, 100))
    assert lotus.low == 0 and not lotus.flagged  # 11 spins of a volatile slot prove little
    usd = rows[("european-roulette", "USD")]
    assert (usd.observed, usd.effective_rounds, usd.flagged) == (Fraction(4, 9), 3, False)


async def test_liabilities_equal_the_players_balances_both_ways(casino: Casino) -> None:
    played = await _golden_days(casino)
    wallets = [await casino.platform.wallet.wallet(p) for p in played["players"]]
    rows = await casino.reports.liabilities()
    assert [(r.currency, r.cash_minor, r.bonus_minor, r.reserved_minor) for r in rows] == [
        ("EUR", sum(w.cash + w.pending for w in wallets[:2]), 0, 300),
        ("USD", wallets[2].cash, 0, 0),
    ]
    assert [(r.cash_minor, r.total_minor, r.matches) for r in rows] == [
        (193_500, 193_500, True),
        (49_750, 49_750, True),
    ]
    assert all(
        (r.ledger_cash_minor, r.ledger_bonus_minor, r.ledger_reserved_minor)
        == (r.cash_minor, r.bonus_minor, r.reserved_minor)
        for r in rows
    )


def _report(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "croupier", "report", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def _tamper(database_url: str, account_id: str) -> None:
    """What no code path does: a player's running balance edited behind the ledger's back."""
    sql = "UPDATE accounts SET credits_posted = credits_posted + 1 WHERE id = "
    if database_url.startswith("sqlite:///"):
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            db.execute(sql + "?", (account_id,))
            db.commit()
        return
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(sql + "$1", account_id)
    finally:
        await conn.close()


async def test_cli_prints_the_reports_as_csv_and_json(casino: Casino, database_url: str) -> None:
    await _golden_days(casino)
    period = ["--database-url", database_url, "--from", "2030-01-01", "--to", "2030-01-02"]
    as_csv = _report("ggr", *period, "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    assert as_csv.stdout.splitlines() == [
        "day,game_id,currency,exponent,rounds,bets_minor,wins_minor,jackpot_wins_minor,"
        "ggr_minor,jackpot_funding_minor,ngr_minor",
        "2030-01-01,european-roulette,EUR,2,4,600,0,0,600,0,600",
        "2030-01-01,european-roulette,USD,2,3,450,200,0,250,0,250",
        "2030-01-01,lotus-20,EUR,2,6,6000,3600,0,2400,100024,-97624",
        "2030-01-02,lotus-20,EUR,2,5,12500,9000,0,3500,50,3450",
    ]
    as_json = _report("ggr", *period, "--game", "lotus-20", "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == [as_dict(GOLDEN[2]), as_dict(GOLDEN[3])]
    rtp = _report("rtp", *period, "--game", "european-roulette", "--format", "csv")
    assert rtp.returncode == 0, rtp.stderr
    lines = rtp.stdout.splitlines()
    assert lines[0] == (
        "game_id,currency,rounds,bets_minor,wins_minor,observed,theoretical,sigma,"
        "effective_rounds,low,high,flagged"
    )
    assert [line.split(",")[:7] + line.split(",")[-1:] for line in lines[1:]] == [
        ["european-roulette", "EUR", "4", "600", "0", "0.000000", "0.973000", "false"],
        ["european-roulette", "USD", "3", "450", "200", "0.444444", "0.973000", "false"],
    ]


async def test_cli_liabilities_exit_1_when_the_balances_disagree_with_the_ledger(
    casino: Casino, database_url: str
) -> None:
    played = await _golden_days(casino)
    sound = _report("liabilities", "--database-url", database_url)
    assert sound.returncode == 0, sound.stderr
    assert [(r["currency"], r["cash_minor"], r["matches"]) for r in json.loads(sound.stdout)] == [
        ("EUR", 193_500, True),
        ("USD", 49_750, True),
    ]
    await _tamper(database_url, played["players"][0].cash_account_id)
    broken = _report("liabilities", "--database-url", database_url, "--format", "csv")
    assert broken.returncode == 1
    head_seq, _ = await casino.platform.ledger.head()
    assert broken.stdout.splitlines()[1:] == [
        f"EUR,2,193501,0,300,193501,193500,0,300,false,{head_seq}",
        f"USD,2,49750,0,0,49750,49750,0,0,true,{head_seq}",
    ]
    assert "LIABILITIES MISMATCH in EUR" in broken.stderr


async def test_cli_refuses_a_bad_period_and_a_missing_ledger(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/none.db"
    missing = _report("ggr", "--database-url", url)
    assert missing.returncode == 2 and "no Croupier ledger" in missing.stderr
    assert not (tmp_path / "none.db").exists()  # a report never creates a database
    reversed_period = _report(
        "ggr", "--database-url", url, "--from", "2030-01-02", "--to", "2030-01-01"
    )
    assert reversed_period.returncode == 2 and "before it starts" in reversed_period.stderr
    too_long = _report("rtp", "--database-url", url, "--from", "2029-01-01", "--to", "2030-01-02")
    assert too_long.returncode == 2 and "at most 366 days" in too_long.stderr
    bad_day = _report("ggr", "--database-url", url, "--to", "2030-02-30")
    assert bad_day.returncode == 2 and "YYYY-MM-DD" in bad_day.stderr


async def test_jackpot_funding_counts_reseeds_and_rounds_of_older_versions(
    casino: Casino,
) -> None:
    """Funding has three sources; the golden days show contributions of ``round.played`` and
    a first seed. Here: the reseed of a hit (the commands a hit adds to its round's group,
    found through its ``jackpot.won``) and the contribution of an instant round recorded as
    an older version did (``round.started`` then ``round.settled``)."""
    played = await _golden_days(casino)
    ann = played["players"][0]
    lotus = instant_games({"lotus-20": GameFiles.shipped().load("lotus-20")})["lotus-20"]
    assert lotus.jackpot is not None and lotus.jackpot.seed_minor == 100_000
    pools = JackpotPools(casino.platform.ledger, house_floor_minor=0)
    await casino.platform.ledger.submit(
        pools.payout("r-hit", "lotus-20", "EUR", ann.cash_account_id, lotus.jackpot)
    )
    fairness = RecordedFairness(pair_id=1, server_seed_hash="0" * 64, client_seed="c", nonce=0)
    start = RoundStarted(
        round_id="r-old",
        player_id=ann.player_id,
        game_id="lotus-20",
        game_version=1,
        currency="EUR",
        stake=2_500,
        choices={"stake": 2_500},
        request_fingerprint="f" * 64,
        fairness=fairness,
    )
    settled = RoundSettled(round_id="r-old", outcome={}, win=0, jackpot_contribution=7)
    await casino.platform.ledger.submit([encode(start), encode(settled)])
    day_2 = await casino.reports.ggr(DAY_2, DAY_2, "lotus-20")
    # 50 from the day's five rounds, the reseed, and the older round's 7
    assert [(r.jackpot_funding_minor, r.ngr_minor) for r in day_2] == [
        (50 + 100_000 + 7, 3_500 - 100_057)
    ]
    wallet = await casino.platform.wallet.wallet(ann)
    [eur, _] = await casino.reports.liabilities()
    assert eur.matches and eur.cash_minor == wallet.cash + 96_500  # the pool paid Ann


async def test_a_table_round_counts_on_the_day_it_settles_with_its_whole_stake(
    casino: Casino,
) -> None:
    played = await _golden_days(casino)
    bob, hand = played["players"][1], played["hand"]
    casino.at(NOON_2 + 3_600_000)
    view = await casino.rounds.act(bob, hand["round_id"], "hand-00-double", "double")
    # the known shoe: the double wins, 2 × 600 back
    assert (view["status"], view["stake"], view["win"]) == ("settled", 600, 1_200)
    [row] = await casino.reports.ggr(DAY_2, DAY_2, "blackjack-6d-s17")
    assert (row.rounds, row.bets_minor, row.wins_minor, row.ggr_minor) == (1, 600, 1_200, -600)
    assert (row.jackpot_funding_minor, row.ngr_minor) == (0, -600)
    [eur, _] = await casino.reports.liabilities()
    assert (eur.reserved_minor, eur.matches) == (0, True)
