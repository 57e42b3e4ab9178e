"""The card vault: cards in, tokens out. The PAN leaves the vault only through
:meth:`CardVault.instrument`, for one call of a payment provider; everything else (the API,
the payments service, the ledger, events, the audit trail) names a card by its token and
shows it masked.

What :meth:`CardVault.add` refuses, in order, before anything is stored:

========================  ======================================================
422 ``card-invalid``      not 12-19 digits, a wrong Luhn check digit, no known
                          scheme or the wrong length for it, an expiry in the past
422 ``card-bin-unknown``  the BIN directory knows no issuer country for it
451 ``geo-blocked``       issued in another country than the player's registered
                          one (:func:`~croupier.domain.compliance.payments.check_card_country`)
409 ``card-limit``        the player keeps ``cards_per_player_max`` cards already
========================  ======================================================
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from croupier.domain.accounts.player import Player
from croupier.domain.compliance.payments import check_card_country
from croupier.domain.errors import CardBinUnknown, CardLimit, CardNotFound
from croupier.domain.payments.cards import (
    CardNumber,
    check_expiry,
    normalise_holder_name,
)
from croupier.services.audit.ports import AuditEntry, AuditTrail
from croupier.services.cards.ports import BinDirectory, CardRow, CardSealer, CardStore
from croupier.services.payments.ports import Instrument

__all__ = ["TOKEN_PREFIX", "CardVault", "StoredCard"]

TOKEN_PREFIX = "card_"


@dataclass(frozen=True, slots=True)
class StoredCard:
    """A card as anyone outside the vault may see it: no PAN, the number masked."""

    token: str
    masked: str  # first 6, last 4
    brand: str
    country: str  # ISO 3166-1 alpha-2 of the issuer (BIN country)
    exp_month: int
    exp_year: int
    created_at_ms: int

    @property
    def expiry(self) -> str:
        return f"{self.exp_month:02d}/{self.exp_year}"

    def for_player(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "masked": self.masked,
            "brand": self.brand,
            "country": self.country,
            "expiry": self.expiry,
            "exp_month": self.exp_month,
            "exp_year": self.exp_year,
            "created_at_ms": self.created_at_ms,
        }


class CardVault:
    """Adds, lists and deletes a player's cards; hands a card to a payment provider."""

    def __init__(
        self,
        store: CardStore,
        sealer: CardSealer,
        bins: BinDirectory,
        *,
        audit: AuditTrail | None = None,
        clock_ms: Callable[[], int],
        today: Callable[[], dt.date],
        cards_per_player_max: int = 10,
    ) -> None:
        if not 1 <= cards_per_player_max <= 100:
            raise ValueError("cards_per_player_max must be 1 to 100")
        self.store = store
        self._sealer = sealer
        self._bins = bins
        self._audit = audit
        self._clock_ms = clock_ms
        self._today = today
        self.cards_per_player_max = cards_per_player_max

    async def add(
        self,
        player: Player,
        pan: str,
        exp_month: int,
        exp_year: int,
        holder_name: str,
        *,
        ip: str | None = None,
    ) -> StoredCard:
        """Check, seal and keep a card of ``player``'s; its token and masked view."""
        number = CardNumber.parse(pan)
        check_expiry(exp_month, exp_year, today=self._today())
        holder = normalise_holder_name(holder_name)
        country = await self._bins.issuer_country(number.iin)
        if country is None:
            raise CardBinUnknown(
                "the card's issuer is unknown here, so its country cannot be checked: "
                "use another card"
            )
        check_card_country(country, country=player.country)
        token = TOKEN_PREFIX + secrets.token_hex(16)
        details = json.dumps(
            {"exp_month": exp_month, "exp_year": exp_year, "holder_name": holder}
        ).encode()
        sealed = self._sealer.seal(player.player_id, token, pan=number.reveal(), details=details)
        row = CardRow(
            token=token,
            player_id=player.player_id,
            masked=number.masked,
            brand=number.brand.value,
            country=country,
            key_id=sealed.key_id,
            kek_id=sealed.kek_id,
            key_wrapped=sealed.key_wrapped,
            pan_sealed=sealed.pan_sealed,
            details_sealed=sealed.details_sealed,
            created_at_ms=self._clock_ms(),
        )
        if not await self.store.insert(row, cards_max=self.cards_per_player_max):
            raise CardLimit(
                f"a player keeps at most {self.cards_per_player_max} cards: delete one first"
            )
        card = StoredCard(
            token, row.masked, row.brand, country, exp_month, exp_year, row.created_at_ms
        )
        await self._record(player.player_id, "card.added", token, ip, after=card)
        return card

    async def list(self, player_id: str) -> Sequence[StoredCard]:
        """The player's cards, oldest first."""
        return [self._stored(row) for row in await self.store.cards(player_id)]

    async def get(self, player_id: str, token: str) -> StoredCard:
        """The card ``token`` of the player's (404 ``card-not-found`` if not theirs)."""
        return self._stored(await self._row(player_id, token))

    async def delete(self, player_id: str, token: str, *, ip: str | None = None) -> None:
        """Crypto-shred the card: its row goes, with the only live copy of its wrapped data
        key (docs/security.md, "Card data", says what this reaches and what it does not)."""
        if not await self.store.delete(player_id, token):
            raise CardNotFound("no such card")
        await self._record(player_id, "card.deleted", token, ip, after=None)

    async def instrument(self, player_id: str, token: str) -> Instrument:
        """The card as a payment provider takes it, for one call: the only way the PAN
        leaves the vault (``secret``, which is never in a repr). 404 ``card-not-found`` if
        the card is not the player's; 422 ``card-invalid`` once it has expired."""
        row = await self._row(player_id, token)
        details = json.loads(self._sealer.open_details(row))
        check_expiry(details["exp_month"], details["exp_year"], today=self._today())
        return Instrument(
            kind="card",
            token=row.token,
            country=row.country,
            secret={
                "pan": self._sealer.open_pan(row),
                "exp_month": str(details["exp_month"]),
                "exp_year": str(details["exp_year"]),
                "holder_name": details["holder_name"],
            },
        )

    # -- plumbing --------------------------------------------------------------------------
    async def _row(self, player_id: str, token: str) -> CardRow:
        row = None
        if token.startswith(TOKEN_PREFIX):
            row = await self.store.card(player_id, token)
        if row is None:  # another player's card gets the same answer as no card
            raise CardNotFound("no such card")
        return row

    def _stored(self, row: CardRow) -> StoredCard:
        details = json.loads(self._sealer.open_details(row))
        return StoredCard(
            row.token,
            row.masked,
            row.brand,
            row.country,
            int(details["exp_month"]),
            int(details["exp_year"]),
            row.created_at_ms,
        )

    async def _record(
        self, player_id: str, action: str, token: str, ip: str | None, *, after: StoredCard | None
    ) -> None:
        if self._audit is None:
            return
        shown = None
        if after is not None:  # the masked number only: PCI DSS 3.4.1
            shown = {"masked": after.masked, "brand": after.brand, "country": after.country}
        await self._audit.record(
            AuditEntry(f"player:{player_id}", action, f"card:{token}", ip, after=shown)
        )
