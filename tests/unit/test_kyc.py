"""KYC as data: the document's checks, the expired state read off the stored one, and the
sandbox provider's documented answers."""

from __future__ import annotations

from datetime import date

import pytest

from croupier.adapters.kyc import SandboxKycProvider
from croupier.domain.compliance.kyc import KycState, StoredKyc, effective_state, parse_document
from croupier.domain.errors import InvalidInput

TODAY = date(2026, 12, 6)


def _doc(**changes: str) -> dict[str, str]:
    return {
        "type": "passport",
        "number": "ab123450",
        "country": "mt",
        "expiry": "2030-01-01",
        **changes,
    }


def test_a_document_is_checked_and_normalised() -> None:
    document = parse_document(_doc(), today=TODAY)
    assert (document.type, document.number, document.country) == ("passport", "AB123450", "MT")
    assert document.masked_number() == "…3450"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"type": "library-card"}, "type"),
        ({"number": "12"}, "number"),
        ({"number": "12 34 56"}, "number"),
        ({"country": "XX"}, "country"),
        ({"country": "US-NJ"}, "country"),
        ({"expiry": "soon"}, "expiry"),
        ({"expiry": "2026-12-05"}, "expired"),
        ({"colour": "blue"}, "unknown"),
    ],
)
def test_a_bad_document_is_refused_naming_the_field(changes: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput, match=field):
        parse_document(_doc(**changes), today=TODAY)


def test_a_verification_expires_with_its_document() -> None:
    stored = StoredKyc("p1", KycState.VERIFIED, b"", date(2026, 12, 6), "sandbox", "r", 0)
    assert effective_state(stored, TODAY) is KycState.VERIFIED  # valid through its last day
    assert effective_state(stored, date(2026, 12, 7)) is KycState.EXPIRED
    assert effective_state(None, TODAY) is KycState.NONE
    rejected = StoredKyc("p1", KycState.REJECTED, b"", date(2020, 1, 1), "sandbox", "r", 0)
    assert effective_state(rejected, TODAY) is KycState.REJECTED


@pytest.mark.parametrize(
    ("number", "state"),
    [
        ("AB123450", KycState.VERIFIED),
        ("AB123456", KycState.VERIFIED),
        ("AB123457", KycState.PENDING),
        ("AB123458", KycState.REJECTED),
        ("AB123459", KycState.REJECTED),
        ("AB12345X", KycState.PENDING),
    ],
)
async def test_the_sandbox_answers_by_the_last_digit(number: str, state: KycState) -> None:
    document = parse_document(_doc(number=number), today=TODAY)
    decision = await SandboxKycProvider().check("p1", document)
    assert decision.state is state
    again = await SandboxKycProvider().check("p1", document)
    assert again == decision  # deterministic, the reference too
