"""The bonus engine's pure rules: offers as staff define them (bad ones refused, naming the
field), what a jurisdiction allows, a player's state folded from their bonus stream, and
the modules' doctests."""

from __future__ import annotations

import doctest

import pytest

import croupier.domain.bonus.state
import croupier.domain.bonus.terms
import croupier.domain.bonus.wagering
from croupier.domain.bonus import BonusPolicy, fold, parse_offer, policy_refusal
from croupier.domain.compliance.profile import parse_profile
from croupier.domain.errors import InvalidInput, JurisdictionDefinitionError

OFFER = {
    "offer_id": "free-ten",
    "name": "Free ten",
    "kind": "no-deposit",
    "currency": "EUR",
    "amount_minor": 1000,
    "wagering_multiple": 20,
}


@pytest.mark.parametrize(
    "module",
    [croupier.domain.bonus.state, croupier.domain.bonus.terms, croupier.domain.bonus.wagering],
)
def test_the_doctests_hold(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted and not result.failed


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"offer_id": "Free Ten"}, "offer_id"),
        ({"kind": "lottery"}, "lottery"),
        ({"amount_minor": 0}, "amount_minor"),
        ({"amount_minor": 1.5}, "amount_minor"),
        ({"wagering_multiple": 101}, "wagering_multiple"),
        ({"weights": {"slots": 150}}, "slots"),
        ({"segments": ["whales"]}, "segments"),
        ({"wagering_base": "bonus+deposit"}, "wagering_base"),
        ({"surprise": True}, "surprise"),
        ({"currency": "euro"}, "currency"),
    ],
)
def test_a_bad_offer_is_refused_naming_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput, match=field):
        parse_offer({**OFFER, **change})


def test_a_jurisdiction_forbids_or_caps_wagering() -> None:
    terms = parse_offer(OFFER).terms
    assert policy_refusal(terms, BonusPolicy()) is None
    assert "not offered" in (policy_refusal(terms, BonusPolicy(allowed=False)) or "")
    assert "10x" in (policy_refusal(terms, BonusPolicy(wagering_multiple_max=10)) or "")
    ten = parse_offer({**OFFER, "wagering_multiple": 10}).terms
    assert policy_refusal(ten, BonusPolicy(wagering_multiple_max=10)) is None


def test_the_ukgc_profile_caps_wagering_at_ten_times() -> None:
    import tomllib

    from croupier.adapters.jurisdiction_files import shipped_jurisdictions

    text = shipped_jurisdictions().joinpath("ukgc.toml").read_text()
    profile = parse_profile(tomllib.loads(text), where="ukgc.toml")
    assert profile.bonuses == BonusPolicy(allowed=True, wagering_multiple_max=10)
    data = tomllib.loads(text)
    data["bonuses"] = {"allowed": "yes"}
    with pytest.raises(JurisdictionDefinitionError, match=r"bonuses\.allowed"):
        parse_profile(data, where="ukgc.toml")


def test_the_state_follows_grants_and_ends() -> None:
    granted = {
        "bonus_id": "p.2",
        "offer_id": "welcome",
        "kind": "deposit-match",
        "currency": "EUR",
        "amount": 500,
        "deposit": 1000,
        "requirement": 15000,
        "max_bet": None,
        "weights": {"slots": 100},
        "expires_ms": 10,
        "conversion_max": None,
        "granted_ms": 1,
    }
    state = fold([(1, "bonus.opted_in", {"offer_id": "welcome"}), (2, "bonus.granted", granted)])
    assert state.waiting is None and state.active is not None and state.busy
    assert state.active.requirement_minor == 15000 and state.claimed == {"welcome"}
    ended = fold(
        [
            (1, "bonus.opted_in", {"offer_id": "welcome"}),
            (2, "bonus.granted", granted),
            (3, "bonus.ended", {"bonus_id": "p.2", "outcome": "converted"}),
        ]
    )
    assert ended.active is None and not ended.busy and ended.ended == (("p.2", "converted"),)
    cancelled = fold(
        [
            (1, "bonus.opted_in", {"offer_id": "welcome"}),
            (2, "bonus.ended", {"bonus_id": "", "offer_id": "welcome", "outcome": "cancelled"}),
        ]
    )
    assert not cancelled.busy and cancelled.claimed == {"welcome"}
