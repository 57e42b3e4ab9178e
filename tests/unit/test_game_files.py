"""Game files come from the package, overlaid by the operator's folder, file by file."""

from __future__ import annotations

from pathlib import Path

import pytest

from croupier.adapters.game_files import GameFiles, configured_game_files
from croupier.domain.errors import GameDefinitionError, UnknownGame


def _folder(root: Path, name: str, files: dict[str, str]) -> Path:
    folder = root / name
    folder.mkdir()
    for game_id, text in files.items():
        (folder / f"{game_id}.toml").write_text(text, encoding="utf-8")
    return folder


def test_a_later_folder_replaces_a_file_whole_and_adds_its_own(tmp_path: Path) -> None:
    base = _folder(tmp_path, "base", {"shared": 'kind = "slots"\nrows = 3\n', "base": "rows = 1\n"})
    top = _folder(tmp_path, "top", {"shared": "rows = 5\n", "top": "rows = 2\n"})
    files = GameFiles((base, top))
    assert files.game_ids() == ["base", "shared", "top"]
    assert files.load("shared") == {"rows": 5}  # not merged with the base's kind
    assert (files.load("base"), files.load("top")) == ({"rows": 1}, {"rows": 2})


def test_the_catalogue_and_other_files_are_not_games(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "games", {"lotus": "rows = 3\n", "catalogue": "[games]\n"})
    (folder / "README.md").write_text("not a game\n", encoding="utf-8")
    (folder / "nested.toml").mkdir()
    files = GameFiles((folder,))
    assert files.game_ids() == ["lotus"]
    [catalogue] = files.catalogues()
    assert (catalogue.entries, catalogue.game_ids) == ({}, frozenset({"lotus"}))


def test_unknown_or_malformed_games_are_refused_naming_the_file(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "games", {"broken": "rows = \n", "copy": 'id = "lotus-20"\n'})
    files = GameFiles.shipped(overlay=folder)
    with pytest.raises(UnknownGame, match=f"no no-such-game.toml in .* or {folder}"):
        files.load("no-such-game")
    with pytest.raises(UnknownGame):
        files.load("../games/broken")  # an id, never a path
    with pytest.raises(GameDefinitionError, match=f"{folder / 'broken.toml'}: not valid TOML"):
        files.load("broken")
    with pytest.raises(GameDefinitionError, match="id 'lotus-20' is not the file's name 'copy'"):
        files.load("copy")


def test_the_tools_read_the_folder_named_by_the_setting(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "games", {"mine": "rows = 3\n"})
    assert "mine" in configured_game_files({"CROUPIER_GAMES_DIR": str(folder)}).game_ids()
    assert "mine" not in configured_game_files({}).game_ids()
    assert "lotus-20" in configured_game_files({}).game_ids()
    with pytest.raises(GameDefinitionError, match="CROUPIER_GAMES_DIR"):
        configured_game_files({"CROUPIER_GAMES_DIR": str(tmp_path / "missing")})


def test_a_game_file_is_read_once_and_each_caller_gets_its_own_copy(tmp_path: Path) -> None:
    """The catalogue and the rounds see the same data, even if the file changes meanwhile."""
    folder = _folder(tmp_path, "games", {"lotus": "rows = 3\n"})
    files = GameFiles((folder,))
    first = files.load("lotus")
    (folder / "lotus.toml").write_text("rows = 9\n", encoding="utf-8")
    first["rows"] = 0  # a caller changing its copy changes nobody else's
    assert files.load("lotus") == {"rows": 3}
