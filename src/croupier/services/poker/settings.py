"""The live cash tables' limits, read from the environment at start (``croupier.config``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["PokerSettings", "poker_settings"]

TABLES_PER_GAME_MAX = 1_000
ACTION_TIMEOUT_MS_MAX = 10 * 60 * 1000
TIME_BANK_MS_MAX = 60 * 60 * 1000
WAIT_LIST_MAX = 1_000


@dataclass(frozen=True)
class PokerSettings:
    """``tables_per_game``: tables opened per ``holdem-*`` table file (0: no live tables);
    ``action_timeout_ms``: the time a player has for each decision, after which the
    ``time_bank_ms`` each seat starts with is used, then the table checks or folds for them;
    ``wait_list_max``: players waiting per table."""

    tables_per_game: int = 2
    action_timeout_ms: int = 30_000
    time_bank_ms: int = 60_000
    wait_list_max: int = 50
    #: Sit-and-go structures (``data/games/tournaments/<id>.toml``) that always have one
    #: tournament open for registration (``CROUPIER_POKER_SNG``, comma-separated).
    sng_structures: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        bounds = {
            "tables_per_game": (self.tables_per_game, 0, TABLES_PER_GAME_MAX),
            "action_timeout_ms": (self.action_timeout_ms, 1, ACTION_TIMEOUT_MS_MAX),
            "time_bank_ms": (self.time_bank_ms, 0, TIME_BANK_MS_MAX),
            "wait_list_max": (self.wait_list_max, 0, WAIT_LIST_MAX),
        }
        for name, (value, low, high) in bounds.items():
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"poker {name} must be an integer from {low} to {high}")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def poker_settings(env: Mapping[str, str]) -> PokerSettings:
    """``CROUPIER_POKER_TABLES_PER_GAME``, ``CROUPIER_POKER_ACTION_TIMEOUT_MS``,
    ``CROUPIER_POKER_TIME_BANK_MS``, ``CROUPIER_POKER_WAIT_LIST_MAX``,
    ``CROUPIER_POKER_SNG``."""
    defaults = PokerSettings()
    return PokerSettings(
        tables_per_game=_int(env, "CROUPIER_POKER_TABLES_PER_GAME", defaults.tables_per_game),
        action_timeout_ms=_int(env, "CROUPIER_POKER_ACTION_TIMEOUT_MS", defaults.action_timeout_ms),
        time_bank_ms=_int(env, "CROUPIER_POKER_TIME_BANK_MS", defaults.time_bank_ms),
        wait_list_max=_int(env, "CROUPIER_POKER_WAIT_LIST_MAX", defaults.wait_list_max),
        sng_structures=tuple(
            item.strip() for item in env.get("CROUPIER_POKER_SNG", "").split(",") if item.strip()
        ),
    )
