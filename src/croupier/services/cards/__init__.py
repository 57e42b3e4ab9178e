"""The card vault (issue 16, "Card vault"): card numbers kept encrypted under a key of their
own, handed out as tokens (docs/security.md, "Card data (PCI DSS requirement 3)").

    card = await vault.add(player, "4000 0082 6000 0000", 12, 2031, "A PLAYER")
    instrument = await vault.instrument(player.player_id, card.token)  # for a provider call
"""

from croupier.services.cards.ports import (
    BinDirectory,
    CardKey,
    CardRow,
    CardSealer,
    CardStore,
    SealedCard,
)
from croupier.services.cards.settings import CardSettings, card_settings
from croupier.services.cards.vault import TOKEN_PREFIX, CardVault, StoredCard

__all__ = [
    "TOKEN_PREFIX",
    "BinDirectory",
    "CardKey",
    "CardRow",
    "CardSealer",
    "CardSettings",
    "CardStore",
    "CardVault",
    "SealedCard",
    "StoredCard",
    "card_settings",
]
