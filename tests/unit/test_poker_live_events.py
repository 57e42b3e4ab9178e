"""The pure pieces of live tables: public events (no hole or burned cards), reading them
back for the cancelled-hand rule, and the escrow claims ``ledger verify`` checks."""

from __future__ import annotations

import doctest

import pytest

from croupier.domain.errors import GameError
from croupier.domain.games.holdem import Table, TableConfig
from croupier.domain.games.holdem_decks import DeckReplayRng, stacked_deck
from croupier.domain.poker import cash_rules, escrow_audit, live_events
from croupier.domain.poker.live_events import hand_event_from_dict, public_events
from croupier.services.poker import histories


def test_doctests() -> None:
    for module in (live_events, escrow_audit, histories):
        assert doctest.testmod(module).failed == 0


def test_public_events_hide_hole_and_burned_cards_and_suffice_for_the_refunds() -> None:
    table = Table(TableConfig(50, 100, ante_minor=10), {0: 10_000, 3: 8_000, 5: 5_000})
    deck = stacked_deck(["AcAd", "KcKd", "QcQd"], "2c3c4c5h7s")
    hand = table.start_hand(DeckReplayRng(deck))
    hand.bet_or_raise_to(hand.to_act, 300)  # type: ignore[arg-type]
    hand.check_or_call(hand.to_act)  # type: ignore[arg-type]
    hand.check_or_call(hand.to_act)  # type: ignore[arg-type]  # the flop is dealt
    public = public_events(hand.history)
    types = {event["type"] for event in public}
    assert "hole-card-dealt" not in types and "card-burned" not in types
    assert "board-dealt" in types
    for card in ("Ac", "Ad", "Kc", "Kd", "Qc", "Qd"):
        assert card not in str(public)
    read_back = [hand_event_from_dict(event) for event in public]
    assert cash_rules.cancelled_hand_refunds(read_back) == cash_rules.cancelled_hand_refunds(
        hand.history
    )


def test_an_unknown_or_malformed_event_is_refused() -> None:
    with pytest.raises(GameError):
        hand_event_from_dict({"type": "jackpot-won"})
    with pytest.raises(GameError):
        hand_event_from_dict({"type": "folded", "seat": 1, "extra": 2})


def test_escrow_claims_keep_the_last_claim_of_a_commit_per_account() -> None:
    claims = escrow_audit.escrow_claims(
        [
            ("table:t1", '{"escrow_account": "escrow:t1:EUR", "escrow_minor": 100}'),
            ("table:t1", '{"escrow_account": "escrow:t1:EUR", "escrow_minor": 90}'),
            ("table:t2", '{"escrow_account": "escrow:t2:EUR", "escrow_minor": true}'),
            ("round:r1", '{"escrow_account": "escrow:t1:EUR", "escrow_minor": 5}'),
        ]
    )
    assert claims == {"escrow:t1:EUR": ("table:t1", 90)}
