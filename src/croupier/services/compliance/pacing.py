"""The time between a player's slot spins, shared by every gateway: the ``SpinPacer`` port
and its in-process adapter (the Redis one is ``adapters/state/pacing.py``).

A spin is *taken* in one atomic step: it passes only if the last recorded spin of the player
started at least the profile's interval ago, and passing records it. Two spins of one player
sent at once to two gateways sharing the pacer therefore never both pass. A spin that passed
but wrote no round (refused for funds, say) is *given back*: the record returns to what it
was, unless a later spin replaced it meanwhile.

Times are integer microseconds since the epoch, the resolution of ``datetime``: the pass
rule (elapsed ≥ interval) is then exactly :func:`croupier.domain.compliance.rules.
spin_wait_ms`'s, never a microsecond early. A last spin later than now (a clock stepped
back) refuses, as the domain rule does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Protocol

__all__ = ["MemorySpinPacer", "SpinPacer", "SpinTake", "spin_passes"]

#: Players remembered in one process before spins older than every interval are dropped.
PLAYERS_MAX: Final = 100_000


@dataclass(frozen=True, slots=True)
class SpinTake:
    """The answer to a spin: ``taken`` (recorded as the player's last spin) or not;
    ``previous_us`` is the last spin recorded before (the refusal's reason, or what a
    give-back restores); ``None``: none."""

    taken: bool
    previous_us: int | None


class SpinPacer(Protocol):
    async def take(self, player_id: str, now_us: int, interval_us: int) -> SpinTake:
        """Record a spin at ``now_us`` if the last one is at least ``interval_us`` old."""
        ...

    async def give_back(self, player_id: str, taken_us: int, previous_us: int | None) -> None:
        """Undo a take whose round was not written, if it is still the last spin."""
        ...


def spin_passes(previous_us: int | None, now_us: int, interval_us: int) -> bool:
    """The rule both adapters apply (the Redis script in Lua)."""
    if previous_us is None or interval_us <= 0:
        return True
    elapsed_us = now_us - previous_us
    return elapsed_us >= 0 and elapsed_us >= interval_us


class MemorySpinPacer:
    """One process's pacer (``CROUPIER_STATE_URL=memory://``): atomic because the event
    loop runs one coroutine at a time and nothing here awaits."""

    def __init__(self, *, players_max: int = PLAYERS_MAX) -> None:
        self._last: dict[str, tuple[int, int]] = {}  # player -> (spin µs, its interval µs)
        self._players_max = players_max

    async def take(self, player_id: str, now_us: int, interval_us: int) -> SpinTake:
        recorded = self._last.get(player_id)
        previous = None if recorded is None else recorded[0]
        if not spin_passes(previous, now_us, interval_us):
            return SpinTake(False, previous)
        self._last[player_id] = (now_us, interval_us)
        if len(self._last) > self._players_max:
            self._forget_old(now_us)
        return SpinTake(True, previous)

    async def give_back(self, player_id: str, taken_us: int, previous_us: int | None) -> None:
        recorded = self._last.get(player_id)
        if recorded is None or recorded[0] != taken_us:
            return  # a later spin is the last one now
        if previous_us is None:
            del self._last[player_id]
        else:
            self._last[player_id] = (previous_us, recorded[1])

    def _forget_old(self, now_us: int) -> None:
        """A spin older than its own interval binds no one: drop those."""
        for player_id, (spun_us, interval_us) in list(self._last.items()):
            if now_us - spun_us >= interval_us:
                del self._last[player_id]
