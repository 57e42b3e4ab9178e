"""A board's periods: from one firing of its reset schedule (a cron expression, UTC) to the
next. A period's id is its start, ``YYYYMMDDTHHMMSSZ``, so ids sort in time order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from croniter import croniter

from croupier.domain.engagement.scores import TIME_MAX_S
from croupier.domain.errors import InvalidInput

__all__ = ["Period", "check_schedule", "period_at", "previous_period"]

_ID_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True, slots=True)
class Period:
    id: str
    start_ms: int
    end_ms: int

    def contains(self, ts_ms: int) -> bool:
        return self.start_ms <= ts_ms < self.end_ms

    def seconds_in(self, ts_ms: int) -> int:
        """Seconds since the period began: the time part of a packed score."""
        return min(max((ts_ms - self.start_ms) // 1000, 0), TIME_MAX_S)


def _at(ts_ms: int) -> datetime:
    return datetime.fromtimestamp(ts_ms / 1000, UTC)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def period_at(reset: str, ts_ms: int) -> Period:
    """The period of the schedule ``reset`` that holds the instant ``ts_ms``."""
    # croniter's get_prev from an instant that is itself a firing returns the one before:
    # step a millisecond ahead so a period starts at its own firing.
    moments = croniter(reset, _at(ts_ms + 1))
    start = moments.get_prev(datetime)
    end = croniter(reset, start).get_next(datetime)
    return Period(start.strftime(_ID_FORMAT), _ms(start), _ms(end))


def previous_period(reset: str, period: Period) -> Period:
    return period_at(reset, period.start_ms - 1)


def check_schedule(reset: str, *, where: str, now: datetime) -> None:
    """Refuse a schedule croniter cannot read, or whose periods outlast the packed time part
    (2^25 s, about 388 days)."""
    if not croniter.is_valid(reset):
        raise InvalidInput(f"{where}: reset is not a valid cron expression: {reset!r}")
    moments = croniter(reset, now)
    first = moments.get_next(datetime)
    for _ in range(3):  # a few periods ahead: enough for every sensible schedule
        following = moments.get_next(datetime)
        if following - first > timedelta(seconds=TIME_MAX_S):
            raise InvalidInput(f"{where}: reset periods must be at most {TIME_MAX_S} seconds")
        first = following
