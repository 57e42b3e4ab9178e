"""The catalogue refuses to load when it and the game files disagree."""

from __future__ import annotations

from pathlib import Path

import pytest

from croupier.adapters.game_files import GameFiles, shipped_games
from croupier.domain.errors import GameDefinitionError
from croupier.domain.games.stakes import StakeRange
from croupier.services.catalogue import GameCatalogue, RtpBasis

ORCHARD = '[games.orchard-10]\nrtp_basis = "exact"\nrtp = "94.38%"\nrtp_min_stake = "94.38%"\n'
ROULETTE = '[games.european-roulette]\nrtp_basis = "exact"\nrtp = "97.30%"\n'


def _copy_shipped(folder: Path, *game_ids: str) -> None:
    for game_id in game_ids:
        text = shipped_games().joinpath(f"{game_id}.toml").read_text(encoding="utf-8")
        (folder / f"{game_id}.toml").write_text(text, encoding="utf-8")


def _games(tmp_path: Path, catalogue: str, *game_ids: str) -> GameFiles:
    """A folder holding these shipped games and this catalogue, read alone."""
    _copy_shipped(tmp_path, *game_ids)
    (tmp_path / "catalogue.toml").write_text(catalogue, encoding="utf-8")
    return GameFiles((tmp_path,))


def test_a_matching_catalogue_lists_every_file_with_its_limits_per_currency(
    tmp_path: Path,
) -> None:
    files = _games(tmp_path, ORCHARD + ROULETTE, "orchard-10", "european-roulette")
    catalogue = GameCatalogue.load(files)
    assert [game.game_id for game in catalogue.games] == ["european-roulette", "orchard-10"]
    orchard = catalogue.get("orchard-10")
    assert orchard is not None
    assert (orchard.kind, orchard.name, orchard.version) == ("slots", "Orchard Breeze", 1)
    assert (orchard.stake_min_minor, orchard.stake_max_minor, orchard.currency) == (10, 5000, None)
    assert set(orchard.limits) == {"EUR", "GBP", "USD"}
    assert orchard.limits["EUR"] == StakeRange(10, 5000)
    roulette = catalogue.get("european-roulette")
    assert roulette is not None and roulette.rtp_basis is RtpBasis.EXACT
    assert (roulette.kind, roulette.name) == ("roulette", "European roulette")
    assert roulette.limits["EUR"] == StakeRange(10, 100_000)  # per bet


def test_one_currency_is_the_catalogue_currency_and_the_flat_limits_span_them_all(
    tmp_path: Path,
) -> None:
    text = _shipped_text("orchard-10")
    text = text[: text.index("[limits.EUR]")] + (
        "[limits.JPY]\nstake_min_minor = 20\nstake_max_minor = 3000\n"
        "[limits.KWD]\nstake_min_minor = 50\nstake_max_minor = 9000\n"
    )
    (tmp_path / "orchard-10.toml").write_text(text, encoding="utf-8")
    (tmp_path / "catalogue.toml").write_text(ORCHARD, encoding="utf-8")
    orchard = GameCatalogue.load(GameFiles((tmp_path,))).get("orchard-10")
    assert orchard is not None and orchard.currency is None
    assert (orchard.stake_min_minor, orchard.stake_max_minor) == (20, 9000)
    (tmp_path / "orchard-10.toml").write_text(text[: text.index("[limits.KWD]")], "utf-8")
    orchard = GameCatalogue.load(GameFiles((tmp_path,))).get("orchard-10")
    assert orchard is not None and orchard.currency == "JPY"
    assert (orchard.stake_min_minor, orchard.stake_max_minor) == (20, 3000)


def test_a_bad_limit_is_refused_naming_the_game_and_the_field(tmp_path: Path) -> None:
    text = _shipped_text("orchard-10").replace("stake_max_minor = 5000", "stake_max_minor = 5005")
    (tmp_path / "orchard-10.toml").write_text(text, encoding="utf-8")
    (tmp_path / "catalogue.toml").write_text(ORCHARD, encoding="utf-8")
    with pytest.raises(
        GameDefinitionError,
        match=r"^game orchard-10: limits\.EUR\.stake_max_minor: must be a multiple of 10",
    ):
        GameCatalogue.load(GameFiles((tmp_path,)))


def test_blackjack_and_holdem_limits_come_from_their_own_parsers(tmp_path: Path) -> None:
    catalogue_text = (
        '[games.blackjack-6d-s17]\nversion = 1\nrtp_basis = "simulated"\nrtp = "99.57%"\n'
        'house_edge = "0.43%"\n[games.holdem-nl-50-100]\nversion = 1\nrtp_basis = "none"\n'
    )
    files = _games(tmp_path, catalogue_text, "blackjack-6d-s17", "holdem-nl-50-100")
    catalogue = GameCatalogue.load(files)
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
        (ROULETTE + "builtin = true\n", ("european-roulette",), "every game has a game file"),
    ],
)
def test_mismatches_are_refused_naming_the_problem(
    tmp_path: Path, catalogue: str, files: tuple[str, ...], message: str
) -> None:
    with pytest.raises(GameDefinitionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        GameCatalogue.load(_games(tmp_path, catalogue, *files))


LOTUS_LOW_STAKES = (
    '[games.lotus-20]\nrtp_basis = "exact"\nrtp = "94.61%"\nrtp_min_stake = "94.51%"\n'
)
CLASSIC = ORCHARD.replace("orchard-10", "orchard-10-classic")


def _overlay(folder: Path, catalogue: str | None, files: dict[str, str]) -> GameFiles:
    """An operator's folder over the shipped games: these files, this catalogue (if any)."""
    for game_id, text in files.items():
        (folder / f"{game_id}.toml").write_text(text, encoding="utf-8")
    if catalogue is not None:
        (folder / "catalogue.toml").write_text(catalogue, encoding="utf-8")
    return GameFiles.shipped(overlay=folder)


def _shipped_text(game_id: str) -> str:
    return shipped_games().joinpath(f"{game_id}.toml").read_text(encoding="utf-8")


def test_an_operator_folder_adds_games_and_replaces_shipped_ones_by_id(tmp_path: Path) -> None:
    lotus = _shipped_text("lotus-20").replace("max_minor = 10000", "max_minor = 2000")
    classic = _shipped_text("orchard-10").replace('"orchard-10"', '"orchard-10-classic"')
    files = _overlay(
        tmp_path,
        LOTUS_LOW_STAKES + CLASSIC,
        {"lotus-20": lotus, "orchard-10-classic": classic.replace("Orchard Breeze", "Classic")},
    )
    shipped = GameCatalogue.load(GameFiles.shipped())
    catalogue = GameCatalogue.load(files)
    ids = [game.game_id for game in catalogue.games]
    assert ids == sorted([game.game_id for game in shipped.games] + ["orchard-10-classic"])
    lotus_entry, classic_entry = catalogue.get("lotus-20"), catalogue.get("orchard-10-classic")
    assert lotus_entry is not None and classic_entry is not None
    # The replaced file's stakes and the operator's figures; nothing of the shipped lotus-20.
    assert (lotus_entry.stake_max_minor, lotus_entry.rtp) == (2000, "94.61%")
    assert (classic_entry.name, classic_entry.stake_max_minor) == ("Classic", 5000)
    assert catalogue.get("dragon-25") == shipped.get("dragon-25")


def test_an_operator_catalogue_alone_replaces_shipped_entries(tmp_path: Path) -> None:
    catalogue = GameCatalogue.load(_overlay(tmp_path, LOTUS_LOW_STAKES, {}))
    lotus = catalogue.get("lotus-20")
    assert lotus is not None and (lotus.rtp, lotus.stake_max_minor) == ("94.61%", 10000)


def test_a_folder_without_game_files_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("my games go here\n", encoding="utf-8")
    assert GameCatalogue.load(_overlay(tmp_path, None, {})).games == (
        GameCatalogue.load(GameFiles.shipped()).games
    )


@pytest.mark.parametrize(
    ("catalogue", "files", "message"),
    [
        # A replaced game must come with its own figures, not show the shipped ones.
        (None, {"lotus-20": _shipped_text("lotus-20")}, "catalogue.toml: missing; .* lotus-20"),
        (
            ORCHARD,
            {"lotus-20": _shipped_text("lotus-20")},
            "no entry for game file\\(s\\) lotus-20",
        ),
        (CLASSIC, {}, "games.orchard-10-classic has no game file"),
        ('[games]\nlotus-20 = "fast"\n', {}, "games.lotus-20 must be a table"),
        ("games = 3\n", {}, r"\[games\] must be a table"),
        ("[games\n", {}, "catalogue.toml: not valid TOML"),
    ],
)
def test_operator_folders_are_refused_naming_the_problem(
    tmp_path: Path, catalogue: str | None, files: dict[str, str], message: str
) -> None:
    with pytest.raises(GameDefinitionError, match=message) as refused:
        GameCatalogue.load(_overlay(tmp_path, catalogue, files))
    assert str(tmp_path) in str(refused.value)  # the operator's file, not the shipped one
