"""Bonus engine settings, read from ``CROUPIER_BONUS_*`` by ``croupier.config``:

=================================  ==========================================================
``CROUPIER_BONUS_CACHE_TTL_MS``    how long a process trusts a player's cached bonus state
                                   (``5000``): a grant made by another process is seen by a
                                   round within this time; 0 reads the ledger every round
``CROUPIER_BONUS_CACHE_ENTRIES``   players whose state is cached (``100000``)
``CROUPIER_BONUS_SWEEP_S``         end due bonuses (expired, completed) every this many
                                   seconds in the writer's process (``60``; 0: never, run
                                   ``croupier bonus sweep`` from a scheduler instead)
=================================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["BonusSettings", "bonus_settings"]


@dataclass(frozen=True, slots=True)
class BonusSettings:
    cache_ttl_ms: int = 5000
    cache_entries_max: int = 100_000
    sweep_interval_s: int = 60
    #: Open bonuses looked at per sweep.
    sweep_accounts_max: int = 10_000


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
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


def bonus_settings(env: Mapping[str, str]) -> BonusSettings:
    """The settings from the environment; ``ValueError`` names the bad variable."""
    return BonusSettings(
        cache_ttl_ms=_int(env, "CROUPIER_BONUS_CACHE_TTL_MS", 5000, 0, 3_600_000),
        cache_entries_max=_int(env, "CROUPIER_BONUS_CACHE_ENTRIES", 100_000, 1, 10_000_000),
        sweep_interval_s=_int(env, "CROUPIER_BONUS_SWEEP_S", 60, 0, 86_400),
    )
