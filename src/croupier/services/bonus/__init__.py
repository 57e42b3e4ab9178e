"""The bonus engine (issue 18, docs/bonuses.md): offers, grants, wagering through rounds,
conversion, expiry and forfeiture, all on the ledger."""

from croupier.services.bonus.rounds import BonusRound, RoundBonus
from croupier.services.bonus.service import BonusService
from croupier.services.bonus.settings import BonusSettings, bonus_settings
from croupier.services.bonus.state import BonusStates

__all__ = [
    "BonusRound",
    "BonusService",
    "BonusSettings",
    "BonusStates",
    "RoundBonus",
    "bonus_settings",
]
