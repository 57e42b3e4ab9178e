"""A server plays the operator's games (CROUPIER_GAMES_DIR) beside the shipped ones, and a
file there replaces the shipped game of its id in the catalogue and at the table alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from croupier.adapters.game_files import shipped_games
from croupier.bootstrap import open_platform
from croupier.config import load_settings
from croupier.domain.errors import GameDefinitionError, InvalidBet
from tests.support.platform import funded_player

CATALOGUE = """
[games.orchard-10-classic]
rtp_basis = "exact"
rtp = "94.38%"
rtp_min_stake = "94.38%"

[games.lotus-20]
rtp_basis = "exact"
rtp = "94.61%"
rtp_min_stake = "94.51%"
"""


def _shipped(game_id: str) -> str:
    return shipped_games().joinpath(f"{game_id}.toml").read_text(encoding="utf-8")


def _operator_folder(tmp_path: Path, catalogue: str | None) -> Path:
    folder = tmp_path / "games"
    folder.mkdir()
    classic = _shipped("orchard-10").replace('"orchard-10"', '"orchard-10-classic"')
    (folder / "orchard-10-classic.toml").write_text(classic, encoding="utf-8")
    lotus = _shipped("lotus-20").replace("max_minor = 10000", "max_minor = 2000")
    (folder / "lotus-20.toml").write_text(lotus, encoding="utf-8")
    if catalogue is not None:
        (folder / "catalogue.toml").write_text(catalogue, encoding="utf-8")
    return folder


async def test_added_and_replaced_games_are_listed_and_played(tmp_path: Path) -> None:
    settings = load_settings(
        {"CROUPIER_GAMES_DIR": str(_operator_folder(tmp_path, CATALOGUE))},
        database_url=f"sqlite:///{tmp_path}/ledger.db",
    )
    platform = await open_platform(settings)
    try:
        classic, lotus = (platform.catalogue.get(i) for i in ("orchard-10-classic", "lotus-20"))
        assert classic is not None and lotus is not None
        assert (lotus.rtp, lotus.stake_max_minor) == ("94.61%", 2000)
        assert platform.catalogue.get("dragon-25") is not None  # the shipped games stay
        player = await funded_player(platform, "operator@example.com", 100_000)
        played = await platform.rounds.play(player, "orchard-10-classic", "c-1", {"stake": 100})
        assert played["game_id"] == "orchard-10-classic"
        await platform.rounds.play(player, "lotus-20", "l-1", {"stake": 2000})
        with pytest.raises(InvalidBet, match="outside"):  # the shipped maximum is 10000
            await platform.rounds.play(player, "lotus-20", "l-2", {"stake": 4000})
    finally:
        await platform.close()


async def test_replaced_games_without_their_own_figures_stop_the_start(tmp_path: Path) -> None:
    settings = load_settings(
        {"CROUPIER_GAMES_DIR": str(_operator_folder(tmp_path, None))},
        database_url=f"sqlite:///{tmp_path}/ledger.db",
    )
    with pytest.raises(GameDefinitionError, match="lotus-20, orchard-10-classic"):
        await open_platform(settings)


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (
            "[limits.EUR]\nstake_min_minor = 10\nstake_max_minor = 5005\n",
            r"game orchard-10-classic: limits\.EUR\.stake_max_minor: must be a multiple of 10",
        ),
        (
            "[limits.EUR]\nstake_min_minor = 100\nstake_max_minor = 50\n",
            r"game orchard-10-classic: limits\.EUR\.stake_max_minor: must be 100 to",
        ),
        (
            # never registered in this process (the test below registers another code)
            "[limits.XRR]\nstake_min_minor = 10\nstake_max_minor = 50\n",
            r"game orchard-10-classic: limits\.XRR: unknown currency 'XRR' .*CROUPIER_CURRENCIES",
        ),
    ],
)
async def test_a_game_file_with_a_bad_limit_stops_the_start(
    tmp_path: Path, limits: str, message: str
) -> None:
    folder = _operator_folder(tmp_path, CATALOGUE)
    classic = (folder / "orchard-10-classic.toml").read_text(encoding="utf-8")
    classic = classic[: classic.index("[limits.EUR]")] + limits
    (folder / "orchard-10-classic.toml").write_text(classic, encoding="utf-8")
    settings = load_settings(
        {"CROUPIER_GAMES_DIR": str(folder)}, database_url=f"sqlite:///{tmp_path}/ledger.db"
    )
    with pytest.raises(GameDefinitionError, match=message):
        await open_platform(settings)


async def test_a_currency_added_by_the_operator_may_be_listed(tmp_path: Path) -> None:
    folder = _operator_folder(tmp_path, CATALOGUE)
    classic = (folder / "orchard-10-classic.toml").read_text(encoding="utf-8")
    classic = classic[: classic.index("[limits.EUR]")]
    classic += "[limits.XQZ]\nstake_min_minor = 10\nstake_max_minor = 50\n"
    (folder / "orchard-10-classic.toml").write_text(classic, encoding="utf-8")
    settings = load_settings(
        {"CROUPIER_GAMES_DIR": str(folder), "CROUPIER_CURRENCIES": "XQZ:4"},
        database_url=f"sqlite:///{tmp_path}/ledger.db",
    )
    platform = await open_platform(settings)
    try:
        listed = platform.catalogue.get("orchard-10-classic")
        assert listed is not None and listed.currency == "XQZ"
    finally:
        await platform.close()
