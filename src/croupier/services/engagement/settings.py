"""Engagement settings, read from ``CROUPIER_*`` variables by ``croupier.config`` and
checked at start (docs/configuration.md, docs/engagement.md).

======================================  =================================================
``CROUPIER_RECOMMEND_RETRAIN_S``        retrain the model every this many seconds in the
                                        serving process (``3600``; ``0``: only at start)
``CROUPIER_RECOMMEND_TRAINING_ROWS``    (player, game) counts read per training, most
                                        recently played first (``1000000``)
``CROUPIER_RECOMMEND_FAMILIAR_ROUNDS``  a game the player has played this many rounds is
                                        theirs already: not recommended (``20``)
``CROUPIER_ENGAGEMENT_FLUSH_S``         the tally writes its counts this often (``5``)
``CROUPIER_SEGMENT_NEW_DAYS``           new: registered within (``7``) days
``CROUPIER_SEGMENT_ACTIVE_DAYS``        active: played within (``7``) days
``CROUPIER_SEGMENT_VIP_DAYS``           VIP: the stake window (``30``) days
``CROUPIER_SEGMENT_VIP_STAKE_MINOR``    VIP: staked at least this in the window
                                        (``1000000``, the player's currency's minor units)
``CROUPIER_SEGMENT_LAPSED_DAYS``        lapsed: no round for (``30``) days
``CROUPIER_SEGMENT_DEPOSIT_RISE``       at-risk: ``F/MINOR``, the last week's deposits at
                                        least F × the weekly average of the 4 weeks before
                                        and at least MINOR (``3/50000``)
``CROUPIER_SEGMENT_LATE_NIGHT``         at-risk: ``P/N``, at least P % of the last active
                                        window's rounds between 00:00 and 06:00 UTC, over
                                        at least N rounds (``50/20``)
``CROUPIER_TOURNAMENTS_DIR``            a folder of slot tournaments as ``<id>.toml``
                                        files, created at start (none: the back office's)
======================================  =================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from croupier.domain.engagement import SegmentRules
from croupier.services.engagement.tally import TallyLimits

__all__ = ["EngagementSettings", "bounded_int", "engagement_settings"]


@dataclass(frozen=True, slots=True)
class EngagementSettings:
    retrain_interval_s: int = 3600
    training_rows_max: int = 1_000_000
    familiar_rounds_min: int = 20
    tally: TallyLimits = field(default_factory=TallyLimits)
    rules: SegmentRules = field(default_factory=SegmentRules)
    #: Slot tournaments defined as data files (``adapters/slot_tournament_files.py``).
    tournaments_dir: Path | None = None


def bounded_int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _pair(env: Mapping[str, str], name: str, default: tuple[int, int]) -> tuple[int, int]:
    raw = env.get(name)
    if not raw:
        return default
    first, sep, second = raw.partition("/")
    try:
        if not sep:
            raise ValueError
        return int(first), int(second)
    except ValueError:
        raise ValueError(f"{name} must be N/M (two integers), got {raw!r}") from None


def engagement_settings(env: Mapping[str, str]) -> EngagementSettings:
    """The settings from the environment; ``ValueError`` names the bad variable."""
    rise_factor, rise_minor = _pair(env, "CROUPIER_SEGMENT_DEPOSIT_RISE", (3, 50_000))
    late_percent, late_rounds = _pair(env, "CROUPIER_SEGMENT_LATE_NIGHT", (50, 20))
    rules = SegmentRules(
        new_days=bounded_int(env, "CROUPIER_SEGMENT_NEW_DAYS", 7, 1, 3660),
        active_days=bounded_int(env, "CROUPIER_SEGMENT_ACTIVE_DAYS", 7, 1, 3660),
        vip_days=bounded_int(env, "CROUPIER_SEGMENT_VIP_DAYS", 30, 1, 3660),
        vip_stake_minor_min=bounded_int(
            env, "CROUPIER_SEGMENT_VIP_STAKE_MINOR", 1_000_000, 1, 10**15
        ),
        lapsed_days=bounded_int(env, "CROUPIER_SEGMENT_LAPSED_DAYS", 30, 1, 3660),
        deposit_rise_factor=rise_factor,
        deposit_rise_minor_min=rise_minor,
        late_night_percent_min=late_percent,
        late_night_rounds_min=late_rounds,
    )  # SegmentRules refuses impossible combinations (lapsed within active, …)
    flush_s = bounded_int(env, "CROUPIER_ENGAGEMENT_FLUSH_S", 5, 1, 3600)
    return EngagementSettings(
        retrain_interval_s=bounded_int(env, "CROUPIER_RECOMMEND_RETRAIN_S", 3600, 0, 7 * 86_400),
        training_rows_max=bounded_int(env, "CROUPIER_RECOMMEND_TRAINING_ROWS", 1_000_000, 1, 10**8),
        familiar_rounds_min=bounded_int(env, "CROUPIER_RECOMMEND_FAMILIAR_ROUNDS", 20, 1, 10**9),
        tally=TallyLimits(flush_interval_s=float(flush_s)),
        rules=rules,
        tournaments_dir=_folder(env, "CROUPIER_TOURNAMENTS_DIR"),
    )


def _folder(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name)
    if not raw:
        return None
    path = Path(raw)
    if not path.is_dir():
        raise ValueError(f"{name} must be a directory, got {raw!r}")
    return path.resolve()
