"""Back-office operations (issue 14, section 3), one module per job, all callable as
``service.method(..., actor="staff:<id>", source_ip=..., reason=...)`` and all audited:

- :mod:`~.players`: :class:`PlayerDirectory`, search by id or email, and the player's view;
- :mod:`~.adjustments`: :class:`AdjustmentService`, manual credits and debits, four-eyes
  above ``CROUPIER_ADJUSTMENT_APPROVAL_ABOVE``;
- :mod:`~.withdrawals`: :class:`WithdrawalReviews`, the withdrawal review queue;
- :mod:`~.account_control`: :class:`AccountControl`, freeze, unfreeze, close, flags;
- :mod:`~.gate`: :class:`PlayGate`, the one place where control and game switches stop play;
- :mod:`~.round_control`: :class:`RoundControl`, force-settle a stuck round;
- :mod:`~.jackpots`: :class:`JackpotControl`, view and adjust the pools;
- :mod:`~.games`: :class:`GameSwitches`, enable or disable a game;
- :mod:`~.ports`: the store and its records; :mod:`~.limits`: the settings.

:class:`Backoffice` holds them all for the composition root (``Platform.backoffice``).
"""

from __future__ import annotations

from dataclasses import dataclass

from croupier.services.backoffice.account_control import FLAGS, AccountControl
from croupier.services.backoffice.adjustments import REASON_CODES, AdjustmentService
from croupier.services.backoffice.games import GameSwitches
from croupier.services.backoffice.gate import PlayGate
from croupier.services.backoffice.jackpots import JackpotControl
from croupier.services.backoffice.limits import BackofficeLimits
from croupier.services.backoffice.players import PlayerDirectory
from croupier.services.backoffice.ports import (
    Adjustment,
    AdjustmentState,
    BackofficeStore,
    Direction,
    PlayerControl,
    PlayerStatus,
    ReviewState,
    WithdrawalReview,
)
from croupier.services.backoffice.round_control import RoundControl
from croupier.services.backoffice.withdrawals import REVIEW_FLAG, WithdrawalReviews

__all__ = [
    "FLAGS",
    "REASON_CODES",
    "REVIEW_FLAG",
    "AccountControl",
    "Adjustment",
    "AdjustmentService",
    "AdjustmentState",
    "Backoffice",
    "BackofficeLimits",
    "BackofficeStore",
    "Direction",
    "GameSwitches",
    "JackpotControl",
    "PlayGate",
    "PlayerControl",
    "PlayerDirectory",
    "PlayerStatus",
    "ReviewState",
    "RoundControl",
    "WithdrawalReview",
    "WithdrawalReviews",
]


@dataclass(frozen=True, slots=True)
class Backoffice:
    """Every back-office service, wired by ``bootstrap.open_platform``."""

    store: BackofficeStore
    players: PlayerDirectory
    adjustments: AdjustmentService
    withdrawals: WithdrawalReviews
    accounts: AccountControl
    rounds: RoundControl
    jackpots: JackpotControl
    games: GameSwitches
    gate: PlayGate
