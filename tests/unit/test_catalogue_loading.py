"""The catalogue refuses to load when it and the game files disagree."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from croupier.adapters.game_files import games_dir
from croupier.domain.errors import GameDefinitionError
from croupier.services.catalogue import GameCatalogue, RtpBasis

ORCHARD = '[games.orchard-10]\nrtp_basis = "exact"\nrtp = "94.38%"\nrtp_min_stake = "94.38%"\n'
ROULETTE = (
    '[games.european-roulette]\nbuiltin = true\nkind = "roulette"\nname = "European roulette"\n'
    'version = 1\nrtp_basis = "exact"\nrtp = "97.30%"\n'
)


def _games(tmp_path: Path, catalogue: str, *game_ids: str) -> Path:
    for game_id in game_ids:
        shutil.copy(games_dir() / f"{game_id}.toml", tmp_path / f"{game_id}.toml")
    (tmp_path / "catalogue.toml").write_text(catalogue, encoding="utf-8")
    return tmp_path


def test_a_matching_catalogue_lists_files_and_builtins(tmp_path: Path) -> None:
    catalogue = GameCatalogue.load(_games(tmp_path, ORCHARD + ROULETTE, "orchard-10"))
    assert [game.game_id for game in catalogue.games] == ["european-roulette", "orchard-10"]
    orchard = catalogue.get("orchard-10")
    assert orchard is not None
    assert (orchard.kind, orchard.name, orchard.version) == ("slots", "Orchard Breeze", 1)
    assert (orchard.stake_min_minor, orchard.stake_max_minor, orchard.currency) == (10, 5000, None)
    roulette = catalogue.get("european-roulette")
    assert roulette is not None and roulette.rtp_basis is RtpBasis.EXACT
    assert (roulette.stake_min_minor, roulette.stake_max_minor) == (10, 100_000)  # per bet


def test_blackjack_and_holdem_limits_come_from_their_own_parsers(tmp_path: Path) -> None:
    catalogue_text = (
        '[games.blackjack-6d-s17]\nversion = 1\nrtp_basis = "simulated"\nrtp = "99.57%"\n'
        'house_edge = "0.43%"\n[games.holdem-nl-50-100]\nversion = 1\nrtp_basis = "none"\n'
    )
    directory = _games(tmp_path, catalogue_text, "blackjack-6d-s17", "holdem-nl-50-100")
    catalogue = GameCatalogue.load(directory)
    blackjack, holdem = catalogue.get("blackjack-6d-s17"), catalogue.get("holdem-nl-50-100")
    assert blackjack is not None and holdem is not None
    assert (blackjack.currency, blackjack.stake_min_minor, blackjack.stake_max_minor) == (
        "EUR",
        100,
        50000,
    )
    assert (holdem.currency, holdem.rtp, holdem.stake_max_minor) == ("EUR", None, None)


@pytest.mark.parametrize(
    ("catalogue", "files", "message"),
    [
        (ORCHARD, ("orchard-10", "lotus-20"), "no entry for game file(s) lotus-20"),
        (ORCHARD + ORCHARD.replace("orchard-10", "lotus-20"), ("orchard-10",), "no game file"),
        (ORCHARD.replace('"94.38%"', '"94.4%"', 1), ("orchard-10",), "games.orchard-10.rtp"),
        (ORCHARD.replace('rtp = "94.38%"\n', ""), ("orchard-10",), "required unless"),
        (ORCHARD.replace('"exact"', '"guessed"'), ("orchard-10",), "rtp_basis"),
        (ORCHARD + 'colour = "red"\n', ("orchard-10",), "games.orchard-10.colour"),
        (ROULETTE.replace("version = 1\n", ""), (), "version"),
    ],
)
def test_mismatches_are_refused_naming_the_problem(
    tmp_path: Path, catalogue: str, files: tuple[str, ...], message: str
) -> None:
    with pytest.raises(GameDefinitionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        GameCatalogue.load(_games(tmp_path, catalogue, *files))
