"""Every RTP the shipped catalogue publishes is recomputed here; any mismatch fails.

Slots: the exact PAR sheet (max and min stake, jackpot included). Roulette: every bet of
every type, settled over all 37 pockets by the engine. Blackjack has no exact figure here:
the published house edge is the documented simulation's, and the rules it was measured for
are pinned by hash so a rule change cannot keep a stale figure.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from fractions import Fraction

import pytest

from croupier.adapters.game_files import GameFiles
from croupier.analysis.roulette import exact_returns
from croupier.analysis.slots_par import par_sheet
from croupier.analysis.slots_tables import build_evaluator
from croupier.domain.games.blackjack_rules import parse_rules
from croupier.domain.games.slots import SlotGame
from croupier.services.catalogue import GameCatalogue, RtpBasis, percent_text, percent_value

pytestmark = pytest.mark.timeout(120)

# The shipped games alone, whatever CROUPIER_GAMES_DIR says: these are the figures we certify.
SHIPPED = GameFiles.shipped()
CATALOGUE = GameCatalogue.load(SHIPPED)  # also fails on a file without an entry, or the reverse


def _ids(kind: str) -> list[str]:
    return [game.game_id for game in CATALOGUE.games if game.kind == kind]


def test_every_kind_is_covered() -> None:
    kinds = {game.kind for game in CATALOGUE.games}
    assert kinds == {"slots", "roulette", "blackjack", "holdem"}
    assert all(game.rtp_basis is RtpBasis.NONE for game in CATALOGUE.games if game.kind == "holdem")


@pytest.mark.parametrize("game_id", _ids("slots"))
def test_slot_rtp_is_the_exact_par_figure(game_id: str) -> None:
    entry = CATALOGUE.get(game_id)
    assert entry is not None and entry.rtp_basis is RtpBasis.EXACT
    game = SlotGame.from_data(SHIPPED.load(game_id))
    par = par_sheet(game, build_evaluator(game))
    assert (entry.rtp, entry.rtp_min_stake) == (
        percent_text(par.total_rtp),
        percent_text(par.total_rtp_at_min),
    )


def test_roulette_rtp_is_36_in_37_for_every_bet_type() -> None:
    entry = CATALOGUE.get("european-roulette")
    assert entry is not None and entry.rtp_basis is RtpBasis.EXACT
    returns = {result.rtp for result in exact_returns()}
    assert returns == {Fraction(36, 37)}
    assert entry.rtp == percent_text(Fraction(36, 37)) == "97.30%"


@pytest.mark.parametrize("game_id", _ids("blackjack"))
def test_blackjack_rtp_is_the_documented_edge_for_these_rules(game_id: str) -> None:
    entry = CATALOGUE.get(game_id)
    assert entry is not None and entry.rtp_basis is RtpBasis.SIMULATED
    assert entry.rtp is not None and entry.house_edge is not None
    assert percent_value(entry.rtp) + percent_value(entry.house_edge) == Decimal(100)
    rules = parse_rules(SHIPPED.load(game_id)).to_data()["rules"]
    canonical = json.dumps(rules, sort_keys=True, separators=(",", ":")).encode()
    assert hashlib.sha256(canonical).hexdigest() == entry.rules_sha256, (
        f"{game_id}: the rules changed since the house edge was measured; re-run "
        f"`croupier rtp {game_id} --hands N` and update src/croupier/data/games/catalogue.toml"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(36, 37), "97.30%"),
        (Fraction(943791, 10**6), "94.38%"),
        (Fraction(1, 4), "25.00%"),
        (Fraction(123499, 10**7), "1.23%"),  # 1.23499%: below the half, down
        (Fraction(123501, 10**7), "1.24%"),  # 1.23501%: above the half, up
        (Fraction(12345, 10**6), "1.23%"),  # exactly 1.2345%: half to even
        (Fraction(12355, 10**6), "1.24%"),  # exactly 1.2355%: half to even
        (Fraction(1), "100.00%"),
    ],
)
def test_percent_text_rounds_exactly_half_to_even(value: Fraction, text: str) -> None:
    assert percent_text(value) == text
