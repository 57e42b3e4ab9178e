"""The back office's reports: GGR/NGR by game and day, observed against theoretical RTP,
and player liabilities that must equal the ledger. ``docs/backoffice.md`` (Reports) defines
every figure; the admin API and ``croupier report`` both call :class:`ReportService`.

Periods are whole UTC days, ``start`` and ``end`` both included.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Final

from croupier.domain.errors import InvalidReport
from croupier.domain.ledger import AccountKind
from croupier.domain.money import currency
from croupier.services.catalogue import GameCatalogue, percent_value
from croupier.services.reports.interval import rtp_band
from croupier.services.reports.ports import (
    DAY_MS,
    KindTotal,
    ReportStore,
    RoundGroup,
)
from croupier.services.reports.rows import GgrRow, LiabilityRow, RtpRow

__all__ = [
    "PERIOD_DAYS_DEFAULT",
    "PERIOD_DAYS_MAX",
    "Period",
    "ReportService",
    "day_of",
    "today_utc",
]

#: The longest period one report covers (a year, leap day included).
PERIOD_DAYS_MAX: Final = 366
#: A period given without its first day: this many days, ending with its last.
PERIOD_DAYS_DEFAULT: Final = 30
_EPOCH: Final = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class Period:
    """Whole UTC days from ``start`` to ``end``, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start < _EPOCH:
            raise InvalidReport("a period starts on 1970-01-01 or later")
        if self.end < self.start:
            raise InvalidReport(f"the period ends ({self.end}) before it starts ({self.start})")
        if (self.end - self.start).days + 1 > PERIOD_DAYS_MAX:
            raise InvalidReport(f"a report covers at most {PERIOD_DAYS_MAX} days")

    @classmethod
    def of(cls, start: date | None = None, end: date | None = None) -> Period:
        """The period a caller asked for, with the defaults of the command line and the
        admin API: ``end`` today (UTC), ``start`` :data:`PERIOD_DAYS_DEFAULT` days before.

        >>> Period.of(end=date(2030, 1, 31))
        Period(start=datetime.date(2030, 1, 2), end=datetime.date(2030, 1, 31))
        """
        last = end or today_utc()
        return cls(start or last - timedelta(days=PERIOD_DAYS_DEFAULT - 1), last)

    @property
    def start_ms(self) -> int:
        return (self.start - _EPOCH).days * DAY_MS

    @property
    def end_ms(self) -> int:
        """Exclusive: midnight UTC after the last day."""
        return ((self.end - _EPOCH).days + 1) * DAY_MS


def day_of(day_index: int) -> date:
    """A day number (days since 1970-01-01 UTC) as a date."""
    return _EPOCH + timedelta(days=day_index)


class ReportService:
    """Reports over the ledger, read through a :class:`ReportStore`; the certified figures
    (RTP, standard deviation) come from the :class:`GameCatalogue`."""

    def __init__(self, store: ReportStore, catalogue: GameCatalogue) -> None:
        self.store = store
        self.catalogue = catalogue

    async def ggr(self, start: date, end: date, game_id: str | None = None) -> list[GgrRow]:
        """One row per (day, game, currency) with settled rounds, ordered that way."""
        period = Period(start, end)
        groups = await self.store.round_groups(period.start_ms, period.end_ms, game_id)
        funding = await self.store.funding_groups(period.start_ms, period.end_ms, game_id)
        totals: dict[tuple[int, str, str], list[int]] = {}
        for group in groups:
            into = totals.setdefault((group.day, group.game_id, group.currency), [0, 0, 0, 0, 0])
            into[0] += group.rounds
            into[1] += group.rounds * group.stake_minor
            into[2] += group.wins_minor + group.jackpot_wins_minor
            into[3] += group.jackpot_wins_minor
        for fund in funding:
            # A pool funded on a day without a settled round (say, seeded at a first round
            # refused for funds) still counts: it is the house's money that day.
            into = totals.setdefault((fund.day, fund.game_id, fund.currency), [0, 0, 0, 0, 0])
            into[4] += fund.funding_minor
        return [
            GgrRow(
                day=day_of(day),
                game_id=game,
                currency=code,
                exponent=currency(code).exponent,
                rounds=rounds,
                bets_minor=bets,
                wins_minor=wins,
                jackpot_wins_minor=jackpot_wins,
                ggr_minor=bets - wins,
                jackpot_funding_minor=funding_minor,
                ngr_minor=bets - wins - funding_minor + jackpot_wins,
            )
            for (day, game, code), (rounds, bets, wins, jackpot_wins, funding_minor) in sorted(
                totals.items()
            )
        ]

    async def rtp(self, start: date, end: date, game_id: str | None = None) -> list[RtpRow]:
        """One row per (game, currency) with staked rounds in the period, flagged when the
        observed RTP is outside the 99.9 % interval of the game's certified figures."""
        period = Period(start, end)
        groups = await self.store.round_groups(period.start_ms, period.end_ms, game_id)
        by_game: dict[tuple[str, str], list[RoundGroup]] = {}
        for group in groups:
            by_game.setdefault((group.game_id, group.currency), []).append(group)
        return [self._rtp_row(game, code, found) for (game, code), found in sorted(by_game.items())]

    def _rtp_row(self, game_id: str, code: str, groups: Iterable[RoundGroup]) -> RtpRow:
        rounds = bets = wins = squares = 0
        for group in groups:
            rounds += group.rounds
            bets += group.rounds * group.stake_minor
            wins += group.wins_minor + group.jackpot_wins_minor
            squares += group.rounds * group.stake_minor**2
        if bets == 0:  # only free rounds: no ratio to speak of
            observed, effective = Fraction(0), Fraction(0)
        else:
            observed, effective = Fraction(wins, bets), Fraction(bets**2, squares)
        theoretical, sigma, span = _certified(self.catalogue, game_id)
        low = high = None
        flagged = False
        if theoretical is not None and sigma is not None and bets > 0:
            band = rtp_band(theoretical, sigma, stake_sum=bets, stake_squares=squares)
            # The band is centred on each published figure the stakes may have played at
            # (a slot's RTP at its minimum and maximum stake), so it holds for any mix.
            # an RTP is never negative: a low end below 0 says nothing more than 0 does
            low = max(Fraction(0), span[0] - band.half_width)
            high = span[1] + band.half_width
            flagged = not low <= observed <= high
        return RtpRow(
            game_id=game_id,
            currency=code,
            rounds=rounds,
            bets_minor=bets,
            wins_minor=wins,
            observed=observed,
            theoretical=theoretical,
            sigma=sigma,
            effective_rounds=effective,
            low=low,
            high=high,
            flagged=flagged,
        )

    async def liabilities(self) -> list[LiabilityRow]:
        """One row per currency holding player money; ``matches`` is False when the accounts'
        balances and the transfers disagree (the CLI then exits non-zero)."""
        totals = await self.store.liability_totals()
        balances = _by_currency(totals.from_balances)
        ledger = _by_currency(totals.from_transfers)
        rows = []
        for code in sorted(balances.keys() | ledger.keys()):
            cash, bonus, reserved = balances.get(code, (0, 0, 0))
            ledger_cash, ledger_bonus, ledger_reserved = ledger.get(code, (0, 0, 0))
            rows.append(
                LiabilityRow(
                    currency=code,
                    exponent=currency(code).exponent,
                    cash_minor=cash,
                    bonus_minor=bonus,
                    reserved_minor=reserved,
                    total_minor=cash + bonus,
                    ledger_cash_minor=ledger_cash,
                    ledger_bonus_minor=ledger_bonus,
                    ledger_reserved_minor=ledger_reserved,
                    matches=(cash, bonus, reserved) == (ledger_cash, ledger_bonus, ledger_reserved),
                    as_of_batch=totals.head_seq,
                )
            )
        return rows


def _certified(
    catalogue: GameCatalogue, game_id: str
) -> tuple[Fraction | None, Fraction | None, tuple[Fraction, Fraction]]:
    """(published RTP, σ per unit of stake, (lowest, highest) published RTP) of a game."""
    entry = catalogue.get(game_id)
    if entry is None or entry.rtp is None:
        return None, None, (Fraction(0), Fraction(0))
    published = [_ratio(entry.rtp)]
    if entry.rtp_min_stake is not None:
        published.append(_ratio(entry.rtp_min_stake))
    sigma = None if entry.std_dev is None else Fraction(Decimal(entry.std_dev))
    return published[0], sigma, (min(published), max(published))


def _ratio(percent: str) -> Fraction:
    return Fraction(percent_value(percent)) / 100


def _by_currency(totals: Iterable[KindTotal]) -> dict[str, tuple[int, int, int]]:
    """(cash, bonus, reserved) per currency."""
    found: dict[str, tuple[int, int, int]] = {}
    for total in totals:
        cash, bonus, reserved = found.get(total.currency, (0, 0, 0))
        if total.kind == AccountKind.PLAYER_CASH.value:
            cash += total.posted_minor
        elif total.kind == AccountKind.PLAYER_BONUS.value:
            bonus += total.posted_minor
        found[total.currency] = (cash, bonus, reserved + total.pending_minor)
    return found


def today_utc() -> date:
    """Today in UTC (the default end of a period)."""
    return datetime.now(UTC).date()
