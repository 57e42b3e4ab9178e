"""Payment methods restricted by where they were issued (issue 15, "geo-blocking by IP and
payment method"): a card may fund an account only if its BIN country (the country of the
bank that issued it, known from the card's first 6-8 digits, its BIN) is
the account's registered country. A GB account pays with GB cards; a card issued elsewhere is
how a player outside the licence's reach would fund play there.

The card vault (:meth:`croupier.services.cards.CardVault.add`) calls it when a player adds
a card, with the BIN country from its BIN directory: a card issued elsewhere is refused
there (451) and never stored, so no payment can name it. Every card the payments layer gets
from the vault (``Instrument.country``) has passed this rule.

>>> check_card_country("gb", country="GB")
>>> try:
...     check_card_country("FR", country="GB")
... except GeoBlocked as refused:
...     print(refused.code)
geo-blocked
"""

from __future__ import annotations

from croupier.domain.accounts.countries import ISO_3166_ALPHA_2
from croupier.domain.errors import GeoBlocked, InvalidInput

__all__ = ["check_card_country"]


def check_card_country(card_country: str, *, country: str) -> None:
    """``GeoBlocked`` (451 ``geo-blocked``) unless the card's BIN country is ``country``,
    the player's registered one; ``InvalidInput`` for a BIN country that is not ISO 3166."""
    code = card_country.strip().upper() if isinstance(card_country, str) else ""
    if code not in ISO_3166_ALPHA_2:
        raise InvalidInput(f"a card's BIN country must be ISO 3166-1 alpha-2, got {card_country!r}")
    if code != country:
        raise GeoBlocked(
            f"this card was issued in {code}: an account registered in {country} pays with "
            "cards issued there"
        )
