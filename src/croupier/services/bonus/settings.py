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

from croupier.services.engagement.settings import bounded_int

__all__ = ["BonusSettings", "bonus_settings"]


@dataclass(frozen=True, slots=True)
class BonusSettings:
    cache_ttl_ms: int = 5000
    cache_entries_max: int = 100_000
    sweep_interval_s: int = 60
    #: Open bonuses looked at per sweep.
    sweep_accounts_max: int = 10_000


def bonus_settings(env: Mapping[str, str]) -> BonusSettings:
    """The settings from the environment; ``ValueError`` names the bad variable."""
    return BonusSettings(
        cache_ttl_ms=bounded_int(env, "CROUPIER_BONUS_CACHE_TTL_MS", 5000, 0, 3_600_000),
        cache_entries_max=bounded_int(env, "CROUPIER_BONUS_CACHE_ENTRIES", 100_000, 1, 10_000_000),
        sweep_interval_s=bounded_int(env, "CROUPIER_BONUS_SWEEP_S", 60, 0, 86_400),
    )
