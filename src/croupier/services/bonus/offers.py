"""Staff-defined bonus offers, kept on the ledger's ``bonus-offers:all`` stream (``offer.defined``
events: a later definition of the same id replaces it; ``active: false`` withdraws it).
Every process reads the stream's tail before it answers, so a new offer is seen at once."""

from __future__ import annotations

import json
from typing import Final

from croupier.domain.bonus import Offer, parse_offer
from croupier.domain.errors import InvalidInput, NotFound
from croupier.domain.ledger import AppendEvent
from croupier.services.bonus.ledger_ops import OFFERS_STREAM
from croupier.services.ledger import LedgerClient

__all__ = ["OfferCatalogue"]

_PAGE: Final = 500
#: Offers kept at most: a bound on what staff can define (withdrawn ones count).
OFFERS_MAX: Final = 1000


class OfferCatalogue:
    def __init__(self, ledger: LedgerClient) -> None:
        self.ledger = ledger
        self._offers: dict[str, Offer] = {}
        self._seq = 0

    async def refresh(self) -> dict[str, Offer]:
        while True:
            page = await self.ledger.stream_events(OFFERS_STREAM, after_seq=self._seq, limit=_PAGE)
            for event in page:
                offer = parse_offer(json.loads(event.data_json))
                self._offers[offer.offer_id] = offer
                self._seq = event.seq
            if len(page) < _PAGE:
                return self._offers

    async def all(self) -> list[Offer]:
        return sorted((await self.refresh()).values(), key=lambda offer: offer.offer_id)

    async def get(self, offer_id: str) -> Offer:
        found = (await self.refresh()).get(offer_id)
        if found is None:
            raise NotFound(f"no bonus offer {offer_id!r}")
        return found

    async def define(self, offer: Offer) -> Offer:
        """Record a definition (a new offer, or a change of one)."""
        offers = await self.refresh()
        if offer.offer_id not in offers and len(offers) >= OFFERS_MAX:
            raise InvalidInput(f"at most {OFFERS_MAX} offers can be defined")
        data = offer.as_json()
        data.pop("segments")
        data["segments"] = sorted(offer.segments)
        for key in (
            *("amount_minor", "match_percent", "match_cap_minor"),
            *("game_id", "spins", "spin_stake_minor"),
            *("cashback_percent", "period_days", "cashback_cap_minor"),
        ):
            if not data[key]:
                data.pop(key)
        await self.ledger.submit(
            [AppendEvent.create(OFFERS_STREAM, "offer.defined", data, expected_seq=self._seq)]
        )
        await self.refresh()
        return offer
