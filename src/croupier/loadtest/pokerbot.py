"""A load-test bot's poker strategy: a small pure function of what the table offers.

It plays only what the table said is legal (``your_choices`` of a ``table.state``), so a
bot never earns a refusal: it checks or calls mostly, sometimes bets or raises the minimum
(or all-in when the stack cannot make the minimum), and mostly folds to a big bet. It
exists to load the server with realistic hands (flops, turns, showdowns, rake, the odd
bust), not to win.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Decision", "choose"]

#: Without a bet to face: bet this often (else check).
BET_SHARE = 0.2
#: Facing a bet: raise this often, fold this often (else call).
RAISE_SHARE = 0.1
FOLD_SHARE = 0.05
#: A "big" bet costs more than this share of the stack behind and more than 4 big blinds:
#: folded to this often.
BIG_BET_STACK_SHARE = 0.25
BIG_BET_BLINDS = 4
BIG_BET_FOLD_SHARE = 0.6


@dataclass(frozen=True, slots=True)
class Decision:
    """A ``table.act``: ``action`` and, for ``bet``/``raise``, the total bet this street."""

    action: str
    amount_minor: int | None = None

    def frame(self, request_id: str, table_id: str) -> dict[str, Any]:
        frame: dict[str, Any] = {
            "type": "table.act",
            "request_id": request_id,
            "table_id": table_id,
            "action": self.action,
        }
        if self.amount_minor is not None:
            frame["amount_minor"] = self.amount_minor
        return frame


def choose(
    choices: dict[str, Any], stack_minor: int, big_blind_minor: int, draw: float
) -> Decision:
    """What to do with ``choices`` (``can_fold``, ``call_minor``, ``min_raise_to_minor``,
    ``max_raise_to_minor``; the last two ``None`` when no raise is possible) and this much
    behind; ``draw`` is uniform in [0, 1) and makes the choice (the caller's random source,
    so runs can be repeated)."""
    call = int(choices.get("call_minor") or 0)
    can_fold = bool(choices.get("can_fold"))
    low, high = choices.get("min_raise_to_minor"), choices.get("max_raise_to_minor")
    raise_to = min(int(low), int(high)) if low is not None and high is not None else None
    if call == 0:
        if raise_to is not None and draw < BET_SHARE:
            return Decision("bet", raise_to)
        return Decision("check")
    big = call > BIG_BET_STACK_SHARE * stack_minor and call > BIG_BET_BLINDS * big_blind_minor
    if can_fold and big and draw < BIG_BET_FOLD_SHARE:
        return Decision("fold")
    if can_fold and draw < FOLD_SHARE:
        return Decision("fold")
    if raise_to is not None and draw > 1 - RAISE_SHARE:
        return Decision("raise", raise_to)
    return Decision("call")
