"""The rows each report returns, and their CSV and JSON renderings.

Amounts are integers of minor units with their currency and its ISO 4217 exponent, never
mixed across currencies; ratios (RTPs) are decimal strings with six places, computed from
exact fractions. Both renderings list the same columns in the same order.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any, Final

__all__ = [
    "RATIO_PLACES",
    "GgrRow",
    "LiabilityRow",
    "ReportRow",
    "RtpRow",
    "as_dict",
    "mismatch_text",
    "ratio_text",
    "to_csv",
    "to_json",
]

RATIO_PLACES: Final = 6


def ratio_text(value: Fraction | None) -> str | None:
    """A ratio as a decimal with six places, rounded half to even (``None`` stays ``None``).

    >>> ratio_text(Fraction(36, 37))
    '0.972973'
    >>> ratio_text(Fraction(-1, 3))
    '-0.333333'
    """
    if value is None:
        return None
    scaled = round(value * 10**RATIO_PLACES)
    sign, scaled = ("-" if scaled < 0 else ""), abs(scaled)
    return f"{sign}{scaled // 10**RATIO_PLACES}.{scaled % 10**RATIO_PLACES:0{RATIO_PLACES}d}"


@dataclass(frozen=True, slots=True)
class GgrRow:
    """One game's rounds settled on one UTC day, in one currency (docs/backoffice.md,
    Reports, defines each figure)."""

    day: date
    game_id: str
    currency: str
    exponent: int
    rounds: int
    bets_minor: int
    wins_minor: int  # every payout, jackpot wins included
    jackpot_wins_minor: int  # the part of wins the game's pool paid
    ggr_minor: int  # bets - wins
    jackpot_funding_minor: int  # what the house put into the game's pool
    ngr_minor: int  # ggr - jackpot funding + jackpot wins: what the house bankroll kept


@dataclass(frozen=True, slots=True)
class RtpRow:
    """Observed against theoretical RTP of one game in one currency over a period.

    ``theoretical``/``sigma`` are ``None`` for a game without a certified return (poker) or
    no longer in the catalogue; then ``low``/``high`` are ``None`` and it is never flagged."""

    game_id: str
    currency: str
    rounds: int
    bets_minor: int
    wins_minor: int
    observed: Fraction
    theoretical: Fraction | None
    sigma: Fraction | None
    effective_rounds: Fraction  # S² / Σs²
    low: Fraction | None
    high: Fraction | None
    flagged: bool


@dataclass(frozen=True, slots=True)
class LiabilityRow:
    """What the casino owes players in one currency, computed two ways that must agree."""

    currency: str
    exponent: int
    cash_minor: int  # posted on player cash accounts, reservations included
    bonus_minor: int  # posted on player bonus accounts
    reserved_minor: int  # of cash and bonus: reserved by open bets and withdrawals
    total_minor: int  # cash + bonus
    ledger_cash_minor: int  # the same, summed from the transfers
    ledger_bonus_minor: int
    ledger_reserved_minor: int
    matches: bool
    as_of_batch: int  # the last ledger batch both computations saw (`ledger verify`'s head)


ReportRow = GgrRow | RtpRow | LiabilityRow


def mismatch_text(row: LiabilityRow) -> str:
    """What to say, loudly, when a currency's balances and transfers disagree."""
    return (
        f"LIABILITIES MISMATCH in {row.currency}: balances say cash {row.cash_minor}, "
        f"bonus {row.bonus_minor}, reserved {row.reserved_minor}; the transfers say cash "
        f"{row.ledger_cash_minor}, bonus {row.ledger_bonus_minor}, reserved "
        f"{row.ledger_reserved_minor} (minor units). Run `croupier ledger verify`."
    )


def _cell(value: Any) -> Any:
    if isinstance(value, Fraction):
        return ratio_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _cell(value)


def as_dict(row: ReportRow) -> dict[str, Any]:
    """One row as JSON-ready values, in column order (ratios and days as strings)."""
    return {field.name: _cell(getattr(row, field.name)) for field in dataclasses.fields(row)}


def to_json(rows: Sequence[ReportRow]) -> str:
    """A JSON array of objects, one per row (see :func:`as_dict`)."""
    return json.dumps([as_dict(row) for row in rows])


def to_csv(rows: Sequence[ReportRow], row_type: type[ReportRow] | None = None) -> str:
    """RFC 4180 CSV with a header line; ``None`` is an empty cell, booleans ``true`` or
    ``false``. ``row_type`` gives the header when there are no rows (else none is written)."""
    shape = row_type or (type(rows[0]) if rows else None)
    out = io.StringIO()
    if shape is None:
        return ""
    columns = [field.name for field in dataclasses.fields(shape)]
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(getattr(row, name)) for name in columns])
    return out.getvalue()
