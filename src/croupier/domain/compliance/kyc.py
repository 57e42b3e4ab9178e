"""KYC as data: the states, a document's metadata and how a verification lapses (pure).

A player's KYC is one of ``none`` (nothing submitted), ``pending`` (submitted, the provider or
staff have not decided), ``verified``, ``rejected`` and ``expired`` (verified on a document
whose expiry day has passed: the player submits a current one). ``expired`` is never stored:
it is read off the stored ``verified`` and the document's expiry, so it needs no job to flip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Final

from croupier.domain.compliance.regions import parse_region
from croupier.domain.errors import InvalidInput

__all__ = [
    "DOCUMENT_TYPES",
    "KycDocument",
    "KycState",
    "StoredKyc",
    "effective_state",
    "parse_document",
]

#: The identity documents a player may submit.
DOCUMENT_TYPES: Final = ("passport", "id-card", "driving-licence")
_NUMBER = re.compile(r"^[A-Za-z0-9-]{4,32}\Z")


class KycState(StrEnum):
    NONE = "none"
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class KycDocument:
    """What the player submits: personal data, sealed at rest (never logged, never audited)."""

    type: str
    number: str
    country: str
    expiry: date

    def as_json(self) -> dict[str, str]:
        return {
            "type": self.type,
            "number": self.number,
            "country": self.country,
            "expiry": self.expiry.isoformat(),
        }

    def masked_number(self) -> str:
        """The number as staff lists show it: its last four characters."""
        return "…" + self.number[-4:]


def parse_document(data: Any, *, today: date) -> KycDocument:
    """The submitted metadata, checked; ``InvalidInput`` names the field. A document already
    expired is refused here: no provider could verify it."""
    if not isinstance(data, dict):
        raise InvalidInput("a KYC submission is an object: type, number, country, expiry")
    unknown = set(data) - {"type", "number", "country", "expiry"}
    if unknown:
        raise InvalidInput(f"unknown field(s): {', '.join(sorted(unknown))}")
    kind = data.get("type")
    if kind not in DOCUMENT_TYPES:
        raise InvalidInput(f"type must be one of {', '.join(DOCUMENT_TYPES)}")
    number = data.get("number")
    if not isinstance(number, str) or not _NUMBER.match(number):
        raise InvalidInput("number must be 4 to 32 letters, digits or '-'")
    country = data.get("country")
    try:
        if not isinstance(country, str) or len(country) != 2:
            raise ValueError
        parsed_country, _ = parse_region(country)
    except ValueError:
        raise InvalidInput("country must be an ISO 3166-1 alpha-2 code such as MT") from None
    expiry_text = data.get("expiry")
    try:
        if not isinstance(expiry_text, str):
            raise ValueError
        expiry = date.fromisoformat(expiry_text)
    except ValueError:
        raise InvalidInput("expiry must be a day, YYYY-MM-DD") from None
    if expiry < today:
        raise InvalidInput("expiry: the document has expired")
    return KycDocument(kind, number.upper(), parsed_country, expiry)


@dataclass(frozen=True, slots=True)
class StoredKyc:
    """A player's KYC row: state and decision in clear, the document sealed."""

    player_id: str
    state: KycState  # pending, verified or rejected: never none or expired
    document_sealed: bytes
    valid_until: date
    provider: str
    reference: str
    submitted_at_ms: int
    decided_by: str | None = None
    decided_at_ms: int | None = None
    reason: str = ""


def effective_state(stored: StoredKyc | None, today: date) -> KycState:
    """The state a rule sees: ``none`` without a row, ``expired`` for a verification on a
    document past its expiry day.

    >>> effective_state(None, date(2026, 1, 1))
    <KycState.NONE: 'none'>
    """
    if stored is None:
        return KycState.NONE
    if stored.state is KycState.VERIFIED and stored.valid_until < today:
        return KycState.EXPIRED
    return stored.state
