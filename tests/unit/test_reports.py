"""The reports' rules on synthetic periods (the report store's memory fake): the RTP flag at
the edge of its 99.9 % interval, stake weighting, periods, liabilities that disagree, and the
CSV and JSON renderings."""

from __future__ import annotations

import doctest
import json
from datetime import date
from fractions import Fraction

import pytest

from croupier.adapters.game_files import GameFiles
from croupier.domain.errors import InvalidReport
from croupier.services.catalogue import GameCatalogue
from croupier.services.reports import (
    FundingGroup,
    GgrRow,
    KindTotal,
    LiabilityTotals,
    MemoryReportStore,
    ReportService,
    RoundGroup,
    RtpRow,
    interval,
    rows,
    to_csv,
    to_json,
)

CATALOGUE = GameCatalogue.load(GameFiles.shipped())
DAY = date(2030, 1, 1)
DAY_INDEX = (DAY - date(1970, 1, 1)).days


def _spins(game_id: str, wins_minor: int, rounds: int = 10_000, stake: int = 100) -> RoundGroup:
    return RoundGroup(game_id, "EUR", DAY_INDEX, stake, rounds, wins_minor, 0)


async def _rtp(*groups: RoundGroup) -> list[RtpRow]:
    return await ReportService(MemoryReportStore(groups), CATALOGUE).rtp(DAY, DAY)


def test_the_modules_examples_hold() -> None:
    for module in (interval, rows):
        assert doctest.testmod(module).failed == 0


async def test_an_outrageous_rtp_is_flagged_and_a_normal_one_is_not() -> None:
    # 10,000 roulette rounds of 1.00: σ = 5.84, so the interval is 0.973 ± 3.2905·5.84/100
    [normal] = await _rtp(_spins("european-roulette", 980_000))
    assert (normal.observed, normal.flagged) == (Fraction(98, 100), False)
    assert (normal.low, normal.high) == (Fraction("0.7808348"), Fraction("1.1651652"))
    [outrageous] = await _rtp(_spins("european-roulette", 2_000_000))
    assert (outrageous.observed, outrageous.flagged) == (2, True)
    [starved] = await _rtp(_spins("european-roulette", 700_000))
    assert starved.flagged


async def test_the_flag_turns_exactly_at_the_interval_edge() -> None:
    [inside] = await _rtp(_spins("european-roulette", 1_165_165))
    [outside] = await _rtp(_spins("european-roulette", 1_165_166))
    assert (inside.flagged, outside.flagged) == (False, True)


async def test_one_big_stake_widens_the_interval_through_the_squared_stakes() -> None:
    even = _spins("european-roulette", 0, rounds=10_000, stake=100)
    whale = RoundGroup("european-roulette", "EUR", DAY_INDEX, 1_000_000, 1, 0, 0)
    [alone] = await _rtp(even)
    [mixed] = await _rtp(even, whale)
    # Σs = 2,000,000, Σs² = 10⁸ + 10¹²: N_eff = 4·10¹² / (10¹² + 10⁸), about 4 rounds
    assert mixed.effective_rounds == Fraction(4 * 10**12, 10**12 + 10**8)
    assert alone.effective_rounds == 10_000
    assert alone.flagged and not mixed.flagged  # nothing won: damning at 10,000, not at 4


async def test_a_slot_band_spans_its_rtp_at_every_stake() -> None:
    [lotus] = await _rtp(_spins("lotus-20", 9_481 * 100, rounds=10_000, stake=100))
    assert lotus.theoretical == Fraction("0.9481")
    half = Fraction("3.2905") * Fraction("13.42") / 100
    assert (lotus.low, lotus.high) == (Fraction("0.9451") - half, Fraction("0.9481") + half)


async def test_a_game_without_certified_figures_is_shown_but_never_flagged() -> None:
    [poker, unknown] = await _rtp(_spins("holdem-nl-50-100", 0), _spins("zz-retired", 10**9))
    assert (poker.theoretical, poker.low, poker.high, poker.flagged) == (None, None, None, False)
    assert (unknown.observed, unknown.flagged) == (1000, False)


async def test_ggr_sums_stakes_and_counts_a_funding_day_without_rounds() -> None:
    store = MemoryReportStore(
        [
            RoundGroup("lotus-20", "EUR", DAY_INDEX, 100, 3, 50, 0),
            RoundGroup("lotus-20", "EUR", DAY_INDEX, 500, 2, 400, 1_000),
        ],
        [
            FundingGroup("lotus-20", "EUR", DAY_INDEX, 2),
            FundingGroup("dragon-25", "EUR", DAY_INDEX + 1, 100_000),
        ],
    )
    found = await ReportService(store, CATALOGUE).ggr(DAY, date(2030, 1, 2))
    assert found == [
        GgrRow(DAY, "lotus-20", "EUR", 2, 5, 1_300, 1_450, 1_000, -150, 2, 848),
        GgrRow(date(2030, 1, 2), "dragon-25", "EUR", 2, 0, 0, 0, 0, 0, 100_000, -100_000),
    ]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (date(2030, 1, 2), date(2030, 1, 1), "before it starts"),
        (date(2029, 1, 1), date(2030, 1, 2), "at most 366 days"),
        (date(1969, 12, 31), date(1970, 1, 1), "1970-01-01"),
    ],
)
async def test_an_impossible_period_is_refused(start: date, end: date, message: str) -> None:
    service = ReportService(MemoryReportStore(), CATALOGUE)
    with pytest.raises(InvalidReport, match=message):
        await service.ggr(start, end)


async def test_liabilities_that_disagree_with_the_ledger_do_not_match() -> None:
    totals = LiabilityTotals(
        from_balances=[
            KindTotal("player_cash", "EUR", 1_000, 100),
            KindTotal("player_bonus", "EUR", 50, 0),
            KindTotal("player_cash", "JPY", 700, 0),
        ],
        from_transfers=[
            KindTotal("player_cash", "EUR", 999, 100),
            KindTotal("player_bonus", "EUR", 50, 0),
            KindTotal("player_cash", "JPY", 700, 0),
        ],
        head_seq=9,
    )
    service = ReportService(MemoryReportStore(liabilities=totals), CATALOGUE)
    eur, jpy = await service.liabilities()
    assert (eur.total_minor, eur.reserved_minor, eur.ledger_cash_minor, eur.matches) == (
        1_050,
        100,
        999,
        False,
    )
    assert (jpy.exponent, jpy.total_minor, jpy.matches, jpy.as_of_batch) == (0, 700, True, 9)


def test_csv_and_json_carry_the_same_columns() -> None:
    row = RtpRow(
        game_id="european-roulette",
        currency="EUR",
        rounds=2,
        bets_minor=300,
        wins_minor=360,
        observed=Fraction(6, 5),
        theoretical=Fraction(973, 1000),
        sigma=None,
        effective_rounds=Fraction(9, 5),
        low=None,
        high=None,
        flagged=True,
    )
    assert to_csv([row]).splitlines() == [
        "game_id,currency,rounds,bets_minor,wins_minor,observed,theoretical,sigma,"
        "effective_rounds,low,high,flagged",
        "european-roulette,EUR,2,300,360,1.200000,0.973000,,1.800000,,,true",
    ]
    assert json.loads(to_json([row])) == [
        {
            "game_id": "european-roulette",
            "currency": "EUR",
            "rounds": 2,
            "bets_minor": 300,
            "wins_minor": 360,
            "observed": "1.200000",
            "theoretical": "0.973000",
            "sigma": None,
            "effective_rounds": "1.800000",
            "low": None,
            "high": None,
            "flagged": True,
        }
    ]
    assert to_csv([], GgrRow).startswith("day,game_id,currency,exponent,rounds,")
    assert (to_csv([]), to_json([])) == ("", "[]")
